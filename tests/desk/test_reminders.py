"""Overdue questions: a reminder to the surgeon at the target, an escalation after the grace;
each once, however often beat runs (the clock is a parameter, not a sleep)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.desk.reminders import remind_overdue
from service.extensions import db
from tests.desk.factories import eager_celery, emails, make_ticket

MONDAY_9 = datetime(2026, 11, 23, 9, 0)


@pytest.fixture
def app_config():
    return {"CELERY": eager_celery()}


@pytest.fixture
def team(make_staff):
    return {
        "a": make_staff("a@clinic.test", name="Dr A", role="surgeon"),
        "c1": make_staff("c1@clinic.test", name="Cora", role="coordinator", specialties=()),
        "c2": make_staff("c2@clinic.test", name="Colm", role="coordinator", specialties=()),
    }


def kinds() -> list[tuple[str, str]]:
    return [(e.kind, e.to_addr.split("<")[1].rstrip(">")) for e in emails()]


def test_reminder_at_target_then_escalation_after_grace_each_once(app, team):
    ticket = make_ticket(assignee=team["a"], created_at=MONDAY_9)  # due Wednesday 09:00
    assert remind_overdue(MONDAY_9 + timedelta(hours=47)) .reminders == 0
    assert kinds() == []

    at_target = datetime(2026, 11, 25, 9, 5)
    for _ in range(2):
        remind_overdue(at_target)
    assert kinds() == [("overdue_reminder", "a@clinic.test")]
    reminder = emails("overdue_reminder")[0]
    assert ticket.reference in reminder.subject and reminder.status == "kept"
    assert reminder.idempotency_key == f"ticket:{ticket.id}:reminder"
    assert "My lower back" not in reminder.text_body  # the link, not the health data

    after_grace = at_target + timedelta(hours=24)  # half of 48 h later
    for _ in range(3):
        remind_overdue(after_grace)
    assert sorted(kinds()) == [("overdue_escalation", "c1@clinic.test"), ("overdue_escalation", "c2@clinic.test"),
                               ("overdue_reminder", "a@clinic.test")]
    actions = [e.action for e in db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()]
    assert actions == ["ticket.reminder", "ticket.escalation"]


def test_urgent_targets_are_hours_and_answered_tickets_are_left_alone(app, team):
    urgent = make_ticket(assignee=team["a"], urgent=True, created_at=MONDAY_9)
    make_ticket(assignee=team["a"], urgent=True, created_at=MONDAY_9, status="answered",
                first_response_at=MONDAY_9 + timedelta(hours=1))
    sent = remind_overdue(MONDAY_9 + timedelta(hours=4, minutes=5))
    assert (sent.reminders, sent.escalations) == (1, 0)
    sent = remind_overdue(MONDAY_9 + timedelta(hours=6, minutes=5))
    assert (sent.reminders, sent.escalations) == (0, 1)
    assert {e.ticket_id for e in emails()} == {urgent.id}
    assert emails("overdue_reminder")[0].subject.startswith("URGENT")


def test_unassigned_overdue_questions_escalate_without_a_reminder(app, team):
    make_ticket(created_at=MONDAY_9)
    sent = remind_overdue(MONDAY_9 + timedelta(days=4))
    assert (sent.reminders, sent.escalations) == (0, 1)


def test_the_beat_task_is_scheduled(app):
    schedule = app.config["CELERY_BEAT_SCHEDULE"]["remind-overdue"]
    assert schedule["task"] == "neurodesk.remind_overdue" and schedule["schedule"] <= 600
    assert "neurodesk.remind_overdue" in app.extensions["celery"].tasks


def test_an_alert_is_claimed_once_even_within_one_transaction(app, team):
    from service.desk.models import DeadlineAlert
    from service.tickets.actions import insert_once

    ticket = make_ticket(assignee=team["a"])
    assert insert_once(DeadlineAlert, ticket_id=ticket.id, kind="reminder", created_at=MONDAY_9) is not None
    assert insert_once(DeadlineAlert, ticket_id=ticket.id, kind="reminder", created_at=MONDAY_9) is None
    db.session.commit()
