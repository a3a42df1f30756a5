"""With the Redis session store unreachable nobody is signed in (fail closed), with a 503 page."""
from __future__ import annotations

import pytest

from service import create_app
from tests.conftest import base_config
from tests.tickets.conftest import celery_config


@pytest.fixture
def db_backend() -> str:
    return "sqlite"


def test_an_unreachable_session_store_refuses_sign_in_with_a_503_page(database_url, make_staff):
    make_staff("ana@clinic.test")
    # Port 9 (discard): nothing listens, the connection is refused at once.
    down = create_app(base_config(database_url, REDIS_URL="redis://127.0.0.1:9", WTF_CSRF_ENABLED=False,
                                  CELERY=celery_config()))
    with down.app_context():
        browser = down.test_client()
        response = browser.post("/desk/login", data={"email": "ana@clinic.test", "password": "correct horse"})
        assert response.status_code == 503
        assert "Signing in is unavailable" in response.text
        assert browser.get("/desk/").status_code == 302
