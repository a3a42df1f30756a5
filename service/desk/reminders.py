"""Overdue tickets chase themselves: a reminder to the assigned surgeon at the target, then an
escalation to every active coordinator when still unanswered after a further grace.

Run by beat every five minutes (`neurodesk.remind_overdue`). Each kind is sent at most once
per ticket: the `deadline_alert` row (UNIQUE ticket+kind) is claimed in the same transaction
as the emails, and the emails' idempotency keys (`ticket:<id>:reminder`,
`ticket:<id>:escalation:<coordinator id>`) guard once more. `now` is a parameter so tests
(and a catch-up run) can decide what time it is.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import exists, select

from service.audit.services import record
from service.desk.models import DeadlineAlert
from service.desk.targets import due_for, human_duration, overdue_clause
from service.extensions import db
from service.mail.addresses import mailbox, message_id
from service.mail.outbound import Draft, queue_email
from service.mail.ticket_mail import TOPIC_NAMES, desk_url
from service.staff.models import Role, Staff, utcnow
from service.tickets import outbox
from service.tickets.actions import insert_once
from service.tickets.models import Ticket

BATCH = 200
REMINDER, ESCALATION = "reminder", "escalation"


@dataclass(frozen=True)
class Sent:
    reminders: int
    escalations: int


def escalation_grace() -> float:
    """The further wait before escalating, as a fraction of the target (0.5: 48 h -> +24 h)."""
    return float(current_app.config.get("OVERDUE_ESCALATION_GRACE", 0.5))


def _without(kind: str):
    return ~exists().where(DeadlineAlert.ticket_id == Ticket.id, DeadlineAlert.kind == kind)


def _claim(ticket: Ticket, kind: str) -> bool:
    """False if another (overlapping) beat run already claimed this alert."""
    return insert_once(DeadlineAlert, ticket_id=ticket.id, kind=kind, created_at=utcnow()) is not None


def _context(ticket: Ticket, now: datetime) -> dict:
    due = due_for(ticket)
    return {"ticket": ticket, "topic": TOPIC_NAMES.get(ticket.tag or "", ticket.tag or "not triaged"),
            "due": due, "late_by": human_duration(now - due), "desk_url": desk_url(ticket)}


def _remind(ticket: Ticket, now: datetime) -> None:
    surgeon = ticket.assignee
    queue_email(Draft(
        key=f"ticket:{ticket.id}:reminder",
        kind="overdue_reminder",
        to=mailbox(surgeon.name, surgeon.email),
        subject=f"{'URGENT ' if ticket.urgent else ''}Overdue [{ticket.reference}] waiting for your answer",
        template="overdue_reminder",
        context={**_context(ticket, now), "surgeon": surgeon},
        message_id=message_id(ticket.reference, "reminder"),
        ticket=ticket,
    ))
    record("ticket.reminder", target_type="ticket", target_id=ticket.id, reference=ticket.reference,
           assignee=surgeon.email)


def _escalate(ticket: Ticket, now: datetime, coordinators: list[Staff]) -> None:
    for coordinator in coordinators:
        queue_email(Draft(
            key=f"ticket:{ticket.id}:escalation:{coordinator.id}",
            kind="overdue_escalation",
            to=mailbox(coordinator.name, coordinator.email),
            subject=f"{'URGENT ' if ticket.urgent else ''}Still unanswered [{ticket.reference}]",
            template="overdue_escalation",
            context={**_context(ticket, now), "staff": coordinator},
            message_id=message_id(ticket.reference, f"escalation-{coordinator.id}"),
            ticket=ticket,
        ))
    record("ticket.escalation", target_type="ticket", target_id=ticket.id, reference=ticket.reference,
           coordinators=len(coordinators), assignee=ticket.assignee.email if ticket.assignee else None)


def _people(role: Role) -> list[Staff]:
    return list(db.session.execute(
        select(Staff).where(Staff.role == role.value, Staff.active.is_(True)).order_by(Staff.id)
    ).scalars())


def remind_overdue(now: datetime | None = None) -> Sent:
    """One beat run: send what is due, commit, hand the emails to the workers."""
    now = now or utcnow()
    to_remind = db.session.execute(
        select(Ticket).where(overdue_clause(now), Ticket.assignee_id.is_not(None), _without(REMINDER))
        .order_by(Ticket.created_at).limit(BATCH)
    ).scalars().all()
    reminders = 0
    for ticket in to_remind:
        if _claim(ticket, REMINDER):
            _remind(ticket, now)
            reminders += 1
    to_escalate = db.session.execute(
        select(Ticket).where(overdue_clause(now, extra=escalation_grace()), _without(ESCALATION))
        .order_by(Ticket.created_at).limit(BATCH)
    ).scalars().all()
    escalations = 0
    if to_escalate:
        coordinators = _people(Role.COORDINATOR) or _people(Role.ADMIN)  # nobody coordinating: admins
        for ticket in to_escalate:
            if _claim(ticket, ESCALATION):
                _escalate(ticket, now, coordinators)
                escalations += 1
    event_ids = outbox.events_in_session()
    db.session.commit()
    outbox.dispatch(event_ids)
    return Sent(reminders=reminders, escalations=escalations)
