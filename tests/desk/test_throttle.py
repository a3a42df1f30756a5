"""Login throttling: 5 failures per email or 20 per address in 15 minutes, then 429."""
import pytest
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.extensions import db


@pytest.fixture
def app_config():
    # The limiter is off in tests by default; these tests are about it. Memory storage keeps
    # each test's counters to itself whatever REDIS_URL the environment has.
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", "WTF_CSRF_ENABLED": False}


def attempt(client, email, password="wrong password", ip="10.0.0.1"):
    return client.post("/desk/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_sixth_failure_for_one_email_is_refused_even_with_the_right_password(client, make_staff):
    make_staff(email="ana@clinic.test")
    for _ in range(5):
        response = attempt(client, "ana@clinic.test")
        assert response.status_code == 200
        assert "Email or password is not right." in response.text
    response = attempt(client, "ANA@clinic.test ", password="correct horse")
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.text
    assert "wait 15 minutes" in response.text
    assert int(response.headers["Retry-After"]) > 0
    # Throttled means not logged in: the right password did not slip through.
    assert client.get("/desk/").status_code == 302


def test_email_limit_applies_across_addresses_but_not_to_other_accounts(client, make_staff):
    make_staff(email="ana@clinic.test")
    make_staff(email="ben@clinic.test")
    for i in range(5):
        assert attempt(client, "ana@clinic.test", ip=f"10.0.1.{i}").status_code == 200
    assert attempt(client, "ana@clinic.test", ip="10.0.2.1").status_code == 429
    assert attempt(client, "ben@clinic.test", password="correct horse", ip="10.0.2.1").status_code == 302


def test_twenty_failures_from_one_address_block_it_for_every_email(client, make_staff):
    make_staff(email="ana@clinic.test")
    for i in range(20):
        assert attempt(client, f"guess{i}@clinic.test").status_code == 200
    assert attempt(client, "ana@clinic.test", password="correct horse").status_code == 429
    # Another address is unaffected.
    assert attempt(client, "ana@clinic.test", password="correct horse", ip="10.0.0.2").status_code == 302


def test_successful_logins_and_page_views_do_not_count(client, make_staff):
    make_staff(email="ana@clinic.test")
    for _ in range(8):
        assert client.get("/desk/login").status_code == 200
        assert attempt(client, "ana@clinic.test", password="correct horse").status_code == 302
        client.post("/desk/logout")
    for _ in range(5):
        assert attempt(client, "ana@clinic.test").status_code == 200
    assert attempt(client, "ana@clinic.test").status_code == 429


def test_success_clears_that_accounts_failures_but_never_the_address_budget(client, make_staff):
    make_staff(email="ana@clinic.test")
    for _ in range(4):
        assert attempt(client, "ana@clinic.test").status_code == 200
    assert attempt(client, "ana@clinic.test", password="correct horse").status_code == 302
    client.post("/desk/logout")
    # Ana's own counter starts again...
    for _ in range(5):
        assert attempt(client, "ana@clinic.test").status_code == 200
    assert attempt(client, "ana@clinic.test").status_code == 429
    # ...but the address has used 9 of its 20 and keeps them despite the success.
    for i in range(11):
        assert attempt(client, f"guess{i}@clinic.test").status_code == 200
    assert attempt(client, "guess-last@clinic.test").status_code == 429


def test_failures_are_audited_without_the_password(client, make_staff):
    staff = make_staff(email="ana@clinic.test")
    attempt(client, "ana@clinic.test", password="hunter2-secret")
    attempt(client, "nobody@clinic.test", password="hunter2-secret")
    attempt(client, "ana@clinic.test", password="correct horse")
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    assert [(e.action, e.target_type, e.target_id) for e in events] == [
        ("login.failure", "staff", str(staff.id)),
        ("login.failure", "login", "nobody@clinic.test"),
        ("login.success", "staff", str(staff.id)),
    ]
    assert events[0].details == {"email": "ana@clinic.test", "ip": "10.0.0.1"}
    assert events[2].actor_id == staff.id and events[2].actor_label == "ana@clinic.test"
    assert all("hunter2" not in e.detail and "horse" not in e.detail for e in events)


def test_throttle_counters_live_in_redis_for_every_web_worker(redis_url, database_url, make_staff):
    """A worker started later (a fresh limiter storage on the same Redis) sees earlier failures."""
    from service import create_app
    from tests.conftest import base_config

    make_staff(email="ana@clinic.test")
    config = base_config(database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=redis_url,
                         WTF_CSRF_ENABLED=False)
    first = create_app(config)
    with first.app_context():
        for _ in range(5):
            assert attempt(first.test_client(), "ana@clinic.test").status_code == 200
    second = create_app(config)
    with second.app_context():
        assert attempt(second.test_client(), "ana@clinic.test").status_code == 429
        assert attempt(second.test_client(), "ben@clinic.test").status_code == 200
        db.session.remove()
        db.engine.dispose()
    with first.app_context():
        db.engine.dispose()
