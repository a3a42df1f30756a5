"""Every form the desk accepts refuses a POST without its CSRF token (CSRF is on by default)."""
import pytest

from tests.desk.routes import ROLE_MATRIX

POSTS = sorted(route for route in ROLE_MATRIX if route[1] == "POST")


def test_csrf_is_on_by_default_in_the_base_config(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


@pytest.mark.parametrize("route", POSTS, ids=lambda r: r[0])
def test_post_without_csrf_token_is_refused_and_changes_nothing(client, make_staff, sign_in, route):
    admin = make_staff(email="boss@clinic.test", role="admin", specialties=())
    if route[0] != "desk.login":
        sign_in("boss@clinic.test")  # through the real form, with its token
    url = ROLE_MATRIX[route][0].replace("999999", str(admin.id))
    response = client.post(url, data={"name": "x", "email": "boss@clinic.test", "password": "correct horse",
                                      "current_password": "correct horse", "new_password": "new password 123",
                                      "confirm_password": "new password 123"})
    assert response.status_code == 400
    assert "CSRF" in response.text
    if route[0] != "desk.login":
        assert client.get("/desk/").status_code == 200  # still logged in: logout refused too
    else:
        assert client.get("/desk/").status_code == 302  # not logged in


def test_forms_carry_their_token(client, make_staff, sign_in):
    make_staff(email="boss@clinic.test", role="admin", specialties=())
    sign_in("boss@clinic.test")
    for url in ("/desk/account/password", "/desk/account/tokens", "/desk/staff", "/desk/"):
        assert 'name="csrf_token"' in client.get(url).text, url
