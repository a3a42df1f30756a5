"""One patient, one allowance: intake counts an address by its identity, and both doors share it.

Regression for issue 17 V2: after five accepted questions from victim@example.com the sixth was
refused, but victim@ｅxample.com (a full-width e) was accepted and counted as a fresh address;
and the form and the API kept separate counters, doubling each limit. The limits here are the
shipped defaults (5 per email per hour, 10 per IP per minute), counted in a real Redis.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service.extensions import db
from service.tickets.models import Ticket
from tests.tickets.conftest import celery_config

pytestmark = pytest.mark.redis

QUESTION = "My back hurts after lifting boxes all week."


@pytest.fixture
def db_backend() -> str:
    return "sqlite"  # the counters live in Redis; the stored address is checked on both in test_ask_form


@pytest.fixture
def app_config(redis_url):
    return {"CELERY": celery_config(), "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": redis_url}


@pytest.fixture
def csrf_token(client) -> str:
    html = client.get("/desk/login").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def by_api(client, email: str, ip: str = "198.51.100.1") -> int:
    return client.post("/api/v1/questions", environ_base={"REMOTE_ADDR": ip}, json={
        "name": "Ann", "email": email, "question": QUESTION, "consent": True}).status_code


def by_form(client, csrf_token: str, email: str, ip: str = "198.51.100.1") -> int:
    return client.post("/ask", environ_base={"REMOTE_ADDR": ip}, data={
        "csrf_token": csrf_token, "name": "Ann", "email": email, "question": QUESTION, "consent": "y"}).status_code


@pytest.mark.parametrize("variant", [
    "victim@ｅxample.com",            # a full-width e in the domain
    "ｖｉｃｔｉｍ＠ｅｘａｍｐｌｅ．ｃｏｍ",  # all of it typed in full-width mode
    "Victim@EXAMPLE.COM",
    "victim@example。com",            # an ideographic full stop
])
def test_a_sixth_question_from_the_same_address_typed_another_way_is_refused(client, variant):
    # Each from its own IP: only the per-email allowance is under test.
    assert [by_api(client, "victim@example.com", ip=f"198.51.100.{i}") for i in range(5)] == [202] * 5
    assert by_api(client, variant, ip="198.51.100.99") == 429
    assert by_api(client, "someone.else@example.com", ip="198.51.100.98") == 202


def test_the_address_is_stored_in_the_form_the_limit_counted(client):
    assert by_api(client, "ｖｉｃｔｉｍ＠ｅｘａｍｐｌｅ．ｃｏｍ") == 202
    assert by_api(client, "Victim@ｅxample.COM") == 202
    stored = db.session.execute(select(Ticket.patient_email)).scalars().all()
    assert stored == ["victim@example.com", "victim@example.com"]


def test_the_form_and_the_api_share_one_allowance_per_email(client, csrf_token):
    codes = []
    for i in range(5):
        ip = f"198.51.100.{i}"
        codes.append(by_form(client, csrf_token, "victim@example.com", ip) if i % 2
                     else by_api(client, "victim@example.com", ip))
    assert codes == [202, 303, 202, 303, 202]
    assert by_form(client, csrf_token, "victim@ｅxample.com", "198.51.100.50") == 429
    assert by_api(client, "victim@example.com", "198.51.100.51") == 429


def test_the_form_and_the_api_share_one_allowance_per_ip(client, csrf_token):
    codes = [by_form(client, csrf_token, f"p{i}@example.com") if i % 2 else by_api(client, f"p{i}@example.com")
             for i in range(10)]
    assert codes == [202, 303] * 5
    assert by_api(client, "p10@example.com") == 429
    assert by_form(client, csrf_token, "p11@example.com") == 429


def test_the_limiter_never_stores_a_patients_address(client, redis_url):
    import redis

    assert by_api(client, "victim@example.com") == 202
    keys = b" ".join(redis.Redis.from_url(redis_url).keys("*"))
    assert b"intake-email" in keys and b"victim" not in keys
