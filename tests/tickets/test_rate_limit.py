"""Rate limits on intake, counted in Redis (shared by every web process)."""
from __future__ import annotations

import pytest

from tests.tickets.conftest import celery_config

pytestmark = pytest.mark.redis


@pytest.fixture
def db_backend() -> str:
    return "sqlite"  # limits live in Redis; one database backend is enough


@pytest.fixture
def app_config(redis_url):
    return {
        "CELERY": celery_config(),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_url,
        "ASK_RATE_LIMIT": "4/minute",
        "ASK_EMAIL_RATE_LIMIT": "2/hour",
    }


def ask(client, email):
    return client.post("/api/v1/questions", json={
        "name": "Ann", "email": email, "question": "My back hurts after lifting boxes.", "consent": True})


def test_one_email_may_ask_twice_an_hour_then_gets_429_json(client):
    assert [ask(client, "ann@example.test").status_code for _ in range(2)] == [202, 202]
    response = ask(client, "ann@example.test")
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    assert ask(client, "bob@example.test").status_code == 202  # another patient is not blocked


def test_invalid_submissions_do_not_use_up_the_email_allowance(client):
    for _ in range(2):
        assert client.post("/api/v1/questions", json={"email": "ann@example.test"}).status_code == 422
    assert ask(client, "ann@example.test").status_code == 202


def test_one_ip_is_limited_across_emails(client):
    codes = [ask(client, f"p{i}@example.test").status_code for i in range(5)]
    assert codes == [202, 202, 202, 202, 429]


def test_the_form_answers_429_with_a_friendly_page(client, csrf_token):
    for i in range(4):
        assert client.post("/ask", data={"csrf_token": csrf_token, "email": f"x{i}@example.test"}).status_code == 200
    response = client.post("/ask", data={"csrf_token": csrf_token, "email": "y@example.test"})
    assert response.status_code == 429
    assert "Please wait a moment" in response.get_data(as_text=True)
