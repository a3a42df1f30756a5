"""The audit log is append-only: the ORM and the database both refuse changes."""
import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from service.audit.models import AuditEvent, AuditLogIsAppendOnly
from service.audit.services import events_for, recent_events, record
from service.extensions import db


@pytest.fixture
def event(make_staff):
    staff = make_staff(email="ana@clinic.test", role="coordinator", specialties=())
    made = record("ticket.reassign", actor=staff, target_type="ticket", target_id="Q-AB12-CD34",
                  from_id=3, to_id=4)
    db.session.commit()
    return made


def test_record_keeps_who_what_which_and_detail(event, make_staff):
    assert event.id is not None
    assert event.actor_label == "ana@clinic.test"
    assert (event.action, event.target_type, event.target_id) == ("ticket.reassign", "ticket", "Q-AB12-CD34")
    assert event.details == {"from_id": 3, "to_id": 4}
    assert event.created_at is not None


def test_system_events_have_no_actor(app):
    made = record("article.publish", target_type="article", target_id=12, scheduled=True)
    db.session.commit()
    assert made.actor_id is None and made.actor_label == "system"
    assert made.target_id == "12"


def test_history_of_a_record_is_oldest_first_and_recent_is_newest_first(event):
    record("ticket.tag", target_type="ticket", target_id="Q-AB12-CD34", tag="spine")
    record("login.failure", target_type="login", target_id="x@clinic.test")
    db.session.commit()
    assert [e.action for e in events_for("ticket", "Q-AB12-CD34")] == ["ticket.reassign", "ticket.tag"]
    assert [e.action for e in recent_events(limit=2)] == ["login.failure", "ticket.tag"]
    assert [e.action for e in recent_events(action_prefix="login.")] == ["login.failure"]
    assert recent_events(action_prefix="login%") == []  # a prefix, not a pattern


def test_orm_update_of_an_event_is_refused(event):
    event.action = "ticket.nothing_happened"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_orm_delete_of_an_event_is_refused(event):
    db.session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_bulk_update_and_delete_statements_are_refused(event):
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(update(AuditEvent).values(action="x"))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(delete(AuditEvent))
    db.session.rollback()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'rewritten'",
    "DELETE FROM audit_event",
])
def test_the_database_itself_refuses_update_and_delete(event, statement, db_backend):
    """Raw SQL bypasses the ORM: the triggers from migration 0006 stop it (SQLite and PostgreSQL)."""
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert db.session.execute(select(AuditEvent.action)).scalar_one() == "ticket.reassign"


def test_admins_read_the_log_on_the_desk(client, make_staff, sign_in, event):
    make_staff(email="boss@clinic.test", role="admin", specialties=())
    sign_in("boss@clinic.test")
    page = client.get("/desk/audit").text
    assert "ticket.reassign" in page and "Q-AB12-CD34" in page and "login.success" in page


def test_the_whole_log_is_reachable_page_by_page_newest_first(client, make_staff, sign_in, monkeypatch):
    import html as html_lib
    import re

    from service.desk import paging, team

    monkeypatch.setattr(team, "AUDIT_PAGE_SIZE", 6)
    monkeypatch.setattr(paging, "COUNT_CAP", 15)
    for n in range(40):
        record("ticket.tag", target_type="ticket", target_id=f"Q-0000-{n:04d}", tag="spine")
    db.session.commit()
    make_staff(email="boss@clinic.test", role="admin", specialties=())
    sign_in("boss@clinic.test")
    first = client.get("/desk/audit").text
    assert "15+ events" in first
    seen, url = [], "/desk/audit"
    while url:
        page = client.get(url).text
        seen += re.findall(r"ticket (Q-0000-\d{4})", page)
        older = re.search(r'<a rel="next" href="([^"]+)">Older', page)
        url = html_lib.unescape(older.group(1)) if older else None
    assert seen == [f"Q-0000-{n:04d}" for n in reversed(range(40))]
    assert client.get("/desk/audit?page=4000").status_code == 400
