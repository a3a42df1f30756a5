import re

import pytest


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_staff_logs_in_and_reaches_the_desk(client, make_staff):
    make_staff(email="coord@clinic.test", role="coordinator", specialties=(), password="correct horse")
    page = client.get("/desk/login")
    response = client.post("/desk/login", data={"email": "coord@clinic.test", "password": "correct horse",
                                                "csrf_token": csrf_from(page.text)})
    assert response.status_code == 302
    assert client.get("/desk/").status_code == 200


def test_login_without_csrf_token_is_refused(client, make_staff):
    make_staff(password="correct horse")
    response = client.post("/desk/login", data={"email": "surgeon@clinic.test", "password": "correct horse"})
    assert response.status_code in (200, 400)
    assert client.get("/desk/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_login_never_redirects_off_site(client, make_staff, target):
    make_staff(password="correct horse")
    page = client.get("/desk/login")
    response = client.post(f"/desk/login?next={target}", data={
        "email": "surgeon@clinic.test", "password": "correct horse", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/desk/"
