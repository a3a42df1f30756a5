"""Desk sessions live on the server: logout, revocation, password change, deactivation and an MFA
reset end them everywhere at once, copied cookies included; idle and absolute limits end them too.

Each test runs with the database store on SQLite and PostgreSQL, and with the Redis store. Time
is moved with the sessions' clock, never slept through.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.config import Config
from service.extensions import db
from service.staff import sessions
from service.staff.models import StaffSession, utcnow
from service.tickets.models import Message
from tests.desk.factories import csrf_token, make_ticket
from tests.tickets.conftest import celery_config

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")


@pytest.fixture(params=["sqlite-database", "postgres-database", "sqlite-redis"])
def setup(request) -> str:
    return request.param


@pytest.fixture
def db_backend(setup) -> str:
    return setup.split("-")[0]


@pytest.fixture
def app_config(setup, request) -> dict[str, object]:
    # CSRF on: whoever holds a copy of the cookie can read a CSRF token off any desk page.
    config: dict[str, object] = {"WTF_CSRF_ENABLED": True}
    if setup.endswith("redis"):
        config.update(REDIS_URL=request.getfixturevalue("redis_url"), CELERY=celery_config())
    return config


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self):
        return utcnow() + self.offset

    def advance(self, **kwargs: float) -> None:
        self.offset += timedelta(**kwargs)


@pytest.fixture
def clock(app) -> Clock:
    moved = Clock()
    app.extensions[sessions.EXTENSION].clock = moved
    return moved


@pytest.fixture
def browser(app):
    """Another browser: its own cookies, address and user agent."""

    def make(ip: str = "127.0.0.1", user_agent: str = FIREFOX):
        other = app.test_client()
        other.environ_base.update(REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent)
        return other

    return make


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


def log_out(client):
    return client.post("/desk/logout", data={"csrf_token": csrf_token(client)})


def signed_in(client) -> bool:
    status = client.get("/desk/").status_code
    assert status in (200, 302)
    return status == 200


def live_sessions(staff) -> list:
    db.session.expire_all()
    return sessions.sessions_of(staff)


def test_a_copied_cookie_stops_working_everywhere_when_its_session_logs_out(app, client, make_staff, sign_in):
    """Issue 17 V1: copy the cookie, POST /desk/logout, replay the copy: refused, nothing stored."""
    make_staff("coord@clinic.test", role="coordinator", specialties=())
    ticket = make_ticket()
    sign_in("coord@clinic.test")
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert signed_in(copy)  # the copy works while the session lives, as a stolen cookie would
    token = csrf_token(copy)

    assert log_out(client).status_code == 302

    assert not signed_in(copy) and not signed_in(client)
    note = copy.post(f"/desk/tickets/{ticket.reference}/note",
                     data={"body": "written with a stolen cookie", "nonce": secrets.token_hex(16), "csrf_token": token})
    assert note.status_code == 302 and note.headers["Location"].startswith("/desk/login")
    assert db.session.execute(select(Message).where(Message.kind == "note")).first() is None
    assert copy.get(f"/desk/tickets/{ticket.reference}").status_code == 302
    [event] = audit("logout")
    assert event.actor_label == "coord@clinic.test" and event.details["session"]


def test_logging_out_one_browser_leaves_the_persons_other_browsers_signed_in(client, make_staff, sign_in, browser):
    staff = make_staff("ana@clinic.test")
    phone = browser("203.0.113.5", IPHONE)
    sign_in("ana@clinic.test")
    sign_in("ana@clinic.test", on=phone)
    assert len(live_sessions(staff)) == 2
    log_out(client)
    assert not signed_in(client) and signed_in(phone)
    assert len(live_sessions(staff)) == 1


def test_a_session_ends_after_the_idle_minutes_without_a_request(client, make_staff, sign_in, clock):
    make_staff("ana@clinic.test")
    sign_in("ana@clinic.test")
    clock.advance(minutes=29)
    assert signed_in(client)
    clock.advance(minutes=29)  # 58 minutes after login, 29 after the last request
    assert signed_in(client)
    clock.advance(minutes=30)
    assert not signed_in(client)
    clock.advance(minutes=-60)  # even back in time, an ended session stays ended
    assert not signed_in(client)
    sign_in("ana@clinic.test")
    assert signed_in(client)


def test_a_busy_session_still_ends_after_its_absolute_lifetime(client, make_staff, sign_in, clock, app):
    make_staff("ana@clinic.test")
    sign_in("ana@clinic.test")
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    assert lifetime == timedelta(hours=12)
    for _ in range(35):  # a request every 20 minutes for 11 h 40 min
        clock.advance(minutes=20)
        assert signed_in(client)
    clock.advance(minutes=20)
    assert not signed_in(client)


def test_last_seen_is_written_at_most_once_a_minute(client, make_staff, sign_in, clock):
    staff = make_staff("ana@clinic.test")
    sign_in("ana@clinic.test")
    [started] = live_sessions(staff)
    clock.advance(seconds=50)
    assert signed_in(client)
    assert live_sessions(staff)[0].last_seen_at == started.last_seen_at
    clock.advance(seconds=15)
    assert signed_in(client)
    assert live_sessions(staff)[0].last_seen_at - started.last_seen_at >= timedelta(seconds=65)


def test_the_sessions_page_lists_every_browser_with_device_address_and_times(client, make_staff, sign_in, browser):
    make_staff("ana@clinic.test")
    laptop = browser("198.51.100.7", FIREFOX)
    phone = browser("203.0.113.5", IPHONE)
    sign_in("ana@clinic.test", on=laptop)
    sign_in("ana@clinic.test", on=phone)
    page = laptop.get("/desk/account/sessions")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Firefox on Linux" in page.text and "198.51.100.7" in page.text
    assert "Safari on iPhone" in page.text and "203.0.113.5" in page.text
    assert page.text.count("(this browser)") == 1
    assert page.text.index("(this browser)") > page.text.index("Firefox on Linux")


def test_ending_another_browsers_session_logs_it_out_and_is_audited(make_staff, sign_in, browser):
    staff = make_staff("ana@clinic.test")
    laptop, phone = browser("198.51.100.7", FIREFOX), browser("203.0.113.5", IPHONE)
    sign_in("ana@clinic.test", on=laptop)
    sign_in("ana@clinic.test", on=phone)
    [phone_session] = [s for s in live_sessions(staff) if s.ip == "203.0.113.5"]
    response = laptop.post(f"/desk/account/sessions/{phone_session.key}/revoke", data={"csrf_token": csrf_token(laptop)})
    assert response.status_code == 303 and response.headers["Location"] == "/desk/account/sessions"
    assert not signed_in(phone) and signed_in(laptop)
    [event] = audit("session.revoke")
    assert event.actor_id == staff.id and event.details["session_ip"] == "203.0.113.5"
    assert event.details["session"] == phone_session.key[:12]


def test_nobody_can_end_someone_elses_session(make_staff, sign_in, browser):
    make_staff("ana@clinic.test")
    bob = make_staff("bob@clinic.test", name="Dr Bob")
    ana_browser, bob_browser = browser(), browser()
    sign_in("ana@clinic.test", on=ana_browser)
    sign_in("bob@clinic.test", on=bob_browser)
    [bobs] = live_sessions(bob)
    response = ana_browser.post(f"/desk/account/sessions/{bobs.key}/revoke", data={"csrf_token": csrf_token(ana_browser)})
    assert response.status_code == 404
    assert signed_in(bob_browser) and audit("session.revoke") == []


def test_log_out_everywhere_ends_every_session_this_one_too(make_staff, sign_in, browser):
    staff = make_staff("ana@clinic.test")
    laptop, phone = browser("198.51.100.7", FIREFOX), browser("203.0.113.5", IPHONE)
    sign_in("ana@clinic.test", on=laptop)
    sign_in("ana@clinic.test", on=phone)
    copy = browser("198.51.100.7", FIREFOX)
    copy.set_cookie("session", laptop.get_cookie("session").value)
    response = laptop.post("/desk/account/sessions/revoke-all", data={"csrf_token": csrf_token(laptop)})
    assert response.status_code == 303 and response.headers["Location"] == "/desk/login"
    assert not any(signed_in(b) for b in (laptop, phone, copy))
    assert live_sessions(staff) == []
    [event] = audit("session.revoke_all")
    assert event.details["sessions"] == 2


def test_a_password_change_ends_every_session_but_the_one_that_made_it(client, make_staff, sign_in, browser):
    staff = make_staff("ana@clinic.test")
    phone = browser("203.0.113.5", IPHONE)
    sign_in("ana@clinic.test", on=phone)
    sign_in("ana@clinic.test")
    copy = browser()
    copy.set_cookie("session", client.get_cookie("session").value)
    response = client.post("/desk/account/password", data={
        "current_password": "correct horse", "new_password": "battery staple forever",
        "confirm_password": "battery staple forever", "csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert signed_in(client)
    # The copy held this browser's old session: a new one replaced it.
    assert not signed_in(phone) and not signed_in(copy)
    assert len(live_sessions(staff)) == 1
    assert audit("password.change")[0].details["sessions_ended"] == 2


def test_an_admin_setting_a_password_from_the_command_line_ends_every_session(make_staff, sign_in, browser, runner):
    make_staff("ana@clinic.test")
    laptop = browser()
    sign_in("ana@clinic.test", on=laptop)
    result = runner.invoke(args=["staff", "add", "--email", "ana@clinic.test", "--name", "Dr Test",
                                 "--role", "surgeon", "--specialty", "spine", "--password", "a brand new secret"])
    assert result.exit_code == 0, result.output
    assert not signed_in(laptop)


def test_deactivation_ends_the_persons_sessions_at_once_and_for_good(make_staff, sign_in, browser):
    make_staff("boss@clinic.test", role="admin", specialties=())
    surgeon = make_staff("ana@clinic.test")
    admin, laptop = browser("198.51.100.1"), browser("198.51.100.7")
    sign_in("boss@clinic.test", on=admin)
    sign_in("ana@clinic.test", on=laptop)
    prefix = f"s{surgeon.id}-"
    deactivate = admin.post(f"/desk/staff/{surgeon.id}", data={"csrf_token": csrf_token(admin)})
    assert deactivate.status_code == 303
    assert live_sessions(surgeon) == [] and not signed_in(laptop)
    assert audit("staff.availability")[0].details["sessions_ended"] == 1
    admin.post(f"/desk/staff/{surgeon.id}", data={prefix + "active": "y", "csrf_token": csrf_token(admin)})
    db.session.expire_all()
    assert db.session.get(type(surgeon), surgeon.id).active
    assert not signed_in(laptop)  # reactivated: the old session does not come back


def test_ending_every_session_of_someone_is_one_call_for_an_mfa_reset(make_staff, sign_in, browser):
    staff = make_staff("ana@clinic.test")
    laptop, phone = browser("198.51.100.7", FIREFOX), browser("203.0.113.5", IPHONE)
    sign_in("ana@clinic.test", on=laptop)
    sign_in("ana@clinic.test", on=phone)
    assert sessions.end_every_session(staff.id) == 2
    db.session.commit()
    assert not signed_in(laptop) and not signed_in(phone)


def test_the_store_keeps_a_hash_of_the_cookie_token_never_the_token(client, make_staff, sign_in, app, setup):
    staff = make_staff("ana@clinic.test")
    sign_in("ana@clinic.test")
    with client.session_transaction() as cookie:
        token = cookie["desk_sid"]
    [record] = live_sessions(staff)
    assert record.key == sessions.key_of(token) != token
    if setup.endswith("redis"):
        store = app.extensions[sessions.EXTENSION].store.redis
        stored = " ".join(store.keys("*")) + " ".join(str(store.hgetall(k)) for k in store.keys("*staff-session:*"))
    else:
        stored = " ".join(str(tuple(row)) for row in db.session.execute(select(StaffSession.__table__)))
    assert record.key in stored and token not in stored


def test_a_password_alone_still_signs_in_when_no_role_must_use_a_second_factor(app, client, make_staff, sign_in):
    app.config["MFA_REQUIRED_ROLES"] = ""
    make_staff("admin@clinic.test", role="admin", specialties=())
    response = sign_in("admin@clinic.test")
    assert response.headers["Location"] == "/desk/"
    assert signed_in(client)


def test_idle_minutes_come_from_the_environment_with_30_by_default():
    assert Config(Path("/tmp"), environ={"SECRET_KEY": "x"}).DESK_IDLE_MINUTES == 30
    assert Config(Path("/tmp"), environ={"SECRET_KEY": "x", "DESK_IDLE_MINUTES": "5"}).DESK_IDLE_MINUTES == 5
