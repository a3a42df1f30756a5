"""Password change and session rules for desk accounts (server-side sessions: test_sessions.py)."""
import pytest
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.extensions import db
from service.staff.services import authenticate


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


def change(client, current, new, confirm=None):
    return client.post("/desk/account/password", data={
        "current_password": current, "new_password": new, "confirm_password": new if confirm is None else confirm})


def test_wrong_current_password_is_refused_and_nothing_changes(client, make_staff, sign_in):
    make_staff(email="ana@clinic.test")
    sign_in("ana@clinic.test")
    response = change(client, "not my password", "a much longer secret")
    assert response.status_code == 200
    assert "This is not your current password." in response.text
    assert authenticate("ana@clinic.test", "correct horse") is not None
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "password.change")).first() is None


@pytest.mark.parametrize("new, confirm, message", [
    ("short one", None, "Use between 10 and 200 characters."),
    ("a much longer secret", "a different secret!", "The two new passwords differ."),
    ("correct horse", None, "Choose a password different from the current one."),
])
def test_new_password_rules(client, make_staff, sign_in, new, confirm, message):
    make_staff(email="ana@clinic.test")
    sign_in("ana@clinic.test")
    response = change(client, "correct horse", new, confirm)
    assert response.status_code == 200
    assert message in response.text
    assert authenticate("ana@clinic.test", "correct horse") is not None


def test_password_change_retires_the_old_password_and_other_sessions(app, client, make_staff, sign_in):
    staff = make_staff(email="ana@clinic.test")
    other_browser = app.test_client()
    sign_in("ana@clinic.test", on=other_browser)
    sign_in("ana@clinic.test")

    response = change(client, "correct horse", "battery staple forever")
    assert response.status_code == 303 and response.headers["Location"] == "/desk/"

    assert authenticate("ana@clinic.test", "correct horse") is None
    assert authenticate("ana@clinic.test", "battery staple forever").id == staff.id
    assert client.get("/desk/").status_code == 200           # this session carries on
    assert other_browser.get("/desk/").status_code == 302    # the other one is logged out
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "password.change")).scalar_one()
    assert (event.actor_id, event.target_type, event.target_id) == (staff.id, "staff", str(staff.id))
    assert "battery" not in event.detail and "horse" not in event.detail


def test_session_replayed_from_another_address_is_dropped(client, make_staff, sign_in):
    make_staff(email="ana@clinic.test")
    sign_in("ana@clinic.test")
    assert client.get("/desk/").status_code == 200
    assert client.get("/desk/", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 302


def test_deactivated_staff_lose_their_open_session(client, make_staff, sign_in):
    staff = make_staff(email="ana@clinic.test")
    sign_in("ana@clinic.test")
    staff.active = False
    db.session.commit()
    assert client.get("/desk/").status_code == 302


def test_overview_names_the_person_and_links_their_account_pages(client, make_staff, sign_in):
    make_staff(email="ana@clinic.test", name="Dr Ana <Bold>", role="surgeon")
    sign_in("ana@clinic.test")
    response = client.get("/desk/")
    assert "Dr Ana &lt;Bold&gt;" in response.text
    assert "/desk/account/password" in response.text and "/desk/account/tokens" in response.text
    assert "/desk/staff" not in response.text     # admin links only for admins
    assert response.headers["Cache-Control"] == "no-store"


def test_admin_marks_a_surgeon_on_leave_and_inactive(client, make_staff, sign_in):
    make_staff(email="boss@clinic.test", role="admin", specialties=())
    surgeon = make_staff(email="ana@clinic.test")
    sign_in("boss@clinic.test")
    assert "ana@clinic.test" in client.get("/desk/staff").text
    prefix = f"s{surgeon.id}-"
    response = client.post(f"/desk/staff/{surgeon.id}", data={prefix + "on_leave_until": "2030-01-31"})
    assert response.status_code == 303
    db.session.expire_all()
    assert surgeon.active is False and str(surgeon.on_leave_until) == "2030-01-31"
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "staff.availability")).scalar_one()
    assert event.details["after"] == {"active": False, "on_leave_until": "2030-01-31"}


def test_admin_cannot_deactivate_themselves(client, make_staff, sign_in):
    admin = make_staff(email="boss@clinic.test", role="admin", specialties=())
    sign_in("boss@clinic.test")
    response = client.post(f"/desk/staff/{admin.id}", data={}, follow_redirects=True)
    assert "Ask another admin" in response.text
    db.session.expire_all()
    assert admin.active is True
