"""Who may reach which desk page: every route x every kind of visitor."""
import pytest

from tests.desk.routes import ANON, ROLE_MATRIX, ROLES, desk_routes



@pytest.fixture
def app_config():
    # Access decisions only: CSRF (on by default, also in tests) has its own test module.
    return {"WTF_CSRF_ENABLED": False}


def test_every_desk_route_is_in_the_matrix(app):
    registered = desk_routes(app)
    missing = sorted(registered - ROLE_MATRIX.keys())
    stale = sorted(ROLE_MATRIX.keys() - registered)
    assert not missing, f"desk routes without a row in tests/desk/routes.py ROLE_MATRIX: {missing}"
    assert not stale, f"ROLE_MATRIX rows for routes that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(ROLE_MATRIX), ids=lambda r: f"{r[1]} {r[0]}")
def test_role_matrix(client, make_staff, sign_in, route, role):
    url, expected = ROLE_MATRIX[route]
    if role != ANON:
        make_staff(email=f"{role}@clinic.test", role=role, specialties=("spine",) if role == "surgeon" else ())
        sign_in(f"{role}@clinic.test")
    response = client.open(url, method=route[1])
    assert response.status_code == expected[role], response.text[:300]
    if role == ANON and expected[role] == 302 and route[0] != "desk.login":
        assert response.headers["Location"].startswith("/desk/login?next=")
