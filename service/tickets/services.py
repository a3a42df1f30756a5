"""Intake and triage: the business rules behind POST /ask, POST /api/v1/questions and the workers."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import CTE, Boolean, Connection, Dialect, DateTime, Integer, Select, String, Text, bindparam, func, insert, literal, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from service.extensions import db
from service.mail import ticket_mail
from service.staff.models import utcnow
from service.tickets import routing, triage_port
from service.tickets.models import Message, MessageKind, OutboxEvent, Ticket, TicketStatus
from service.tickets import outbox
from service.tickets.outbox import Handoff, events_in_session

REFERENCE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
TOPICS = ("spine", "brain", "tos")
# The events a new ticket gets, in publish order: an emergency's alerts are written before its triage.
SUBMISSION_EVENTS = {False: ("triage_ticket",), True: ("alert_red_flags", "triage_ticket")}


@dataclass(frozen=True)
class Submission:
    ticket_id: int
    reference: str
    urgent: bool
    emergency_advice: str | None
    event_ids: list[int] = field(default_factory=list)
    handoffs: list[Handoff] = field(default_factory=list)  # promised (see outbox.promise): publish after commit


def new_reference() -> str:
    """`Q-XXXX-XXXX` from the OS CSPRNG: 36^8 (2.8e12) values, uniform, never sequential."""
    number = secrets.randbelow(36**8)  # one draw from the OS, not one per character
    chars = []
    for _ in range(8):
        number, digit = divmod(number, 36)
        chars.append(REFERENCE_ALPHABET[digit])
    return f"Q-{''.join(chars[:4])}-{''.join(chars[4:])}"


def _is_reference_collision(exc: IntegrityError) -> bool:
    message = str(exc.orig).lower()
    return "reference" in message  # ticket_reference_key (PostgreSQL), ticket.reference (SQLite)


def submit_question(*, name: str, email: str, question: str, topic: str | None,
                    promise: bool = False, connection: Connection | None = None,
                    reference: str | None = None) -> Submission:
    """Store the ticket, its first message and its outbox events in the caller's transaction
    (the session's, or `connection`'s).

    Red flags are decided here, in the request, so the patient sees emergency advice at once.
    An emergency also gets an `alert_red_flags` event: a worker writes the coordinators' alerts
    from the urgent queue, which workers empty before anything else. The caller commits, then
    hands `event_ids` to `outbox.dispatch`, or, with `promise=True` (the events are marked
    dispatched in this same transaction), publishes `handoffs` with `outbox.publish_promised`.

    Plain INSERTs, not the ORM's unit of work: this runs for every submission, and the ORM's
    flushes were half of an intake request's CPU (bench/intake.py).
    """
    flags = triage_port.red_flags(question)
    urgent = bool(flags)
    now = utcnow()
    # No look-up first: on a 2.8e12 space the UNIQUE constraint is the check, and
    # accept_question retries the rare collision (a SELECT per submission is not free).
    reference = reference or new_reference()
    ticket_id, handoffs = _store_submission(connection or db.session.connection(), {
        "reference": reference,
        "patient_name": name,
        "patient_email": email,
        "requested_topic": topic if topic in TOPICS else None,
        "urgent": urgent,
        "reasons": json.dumps([f.reason for f in flags]),
        "needs_review": False,
        "status": TicketStatus.NEW.value,
        "created_at": now,
        "updated_at": now,
    }, question, now, promise)
    return Submission(
        ticket_id=ticket_id,
        reference=reference,
        urgent=urgent,
        emergency_advice=triage_port.EMERGENCY_ADVICE if urgent else None,
        event_ids=[h.event_id for h in handoffs],
        handoffs=handoffs if promise else [],
    )


def _store_submission(connection: Connection, ticket: dict, question: str, now: datetime,
                      promise: bool) -> tuple[int, list[Handoff]]:
    """Insert the ticket, its first message and its events; (ticket id, the events' handoffs).

    The events: `triage_ticket`, and for an urgent ticket `alert_red_flags` first (published
    first, so the alerts are written before the triage). On PostgreSQL one statement, chaining
    the INSERTs as data-modifying CTEs: one round trip and one execution instead of three or
    four. Elsewhere (SQLite) the same INSERTs one by one.
    """
    urgent = ticket["urgent"]
    if connection.dialect.name != "postgresql":
        ticket_id = connection.execute(insert(Ticket.__table__).returning(Ticket.__table__.c.id), ticket).scalar_one()
        connection.execute(insert(Message.__table__), {
            "ticket_id": ticket_id, "kind": MessageKind.PATIENT.value, "body": question, "created_at": now})
        return ticket_id, [outbox.insert_event(connection, kind, {"ticket_id": ticket_id}, promised=promise,
                                               urgent=urgent) for kind in SUBMISSION_EVENTS[urgent]]
    sql, literals = _submission_sql(connection.dialect, urgent)
    ticket_id, *event_ids = connection.exec_driver_sql(sql, {
        **literals,
        **{f"ticket_{key}": value for key, value in ticket.items()},
        "body": question, "now": now,
        "dispatched_at": now if promise else None, "attempts": 1 if promise else 0,
    }).one()
    return ticket_id, [outbox.handoff(kind, event_id, ticket_id, urgent=urgent)
                       for kind, event_id in zip(SUBMISSION_EVENTS[urgent], event_ids, strict=True)]


@cache
def _submission_sql(dialect: Dialect, urgent: bool) -> tuple[str, dict[str, object]]:
    """The statement rendered once, with the values of its literals: executed as driver SQL, a
    submission skips SQLAlchemy's per-execution cache look-up and parameter processing (a tenth of
    an intake request; psycopg adapts the str, bool and datetime values itself)."""
    compiled = _submission_statement(urgent).compile(dialect=dialect)
    return compiled.string, {name: value for name, value in compiled.params.items() if value is not None}


@cache
def _submission_statement(urgent: bool) -> Select:
    """The PostgreSQL submission statement; returns the ticket id, then the event ids in publish order."""
    tickets, messages, events = Ticket.__table__, Message.__table__, OutboxEvent.__table__
    new_ticket = insert(tickets).values(
        {name: bindparam(f"ticket_{name}", type_=tickets.c[name].type) for name in _TICKET_COLUMNS}
    ).returning(tickets.c.id).cte("new_ticket")
    now = bindparam("now", type_=DateTime())
    new_message = insert(messages).from_select(
        ["ticket_id", "kind", "body", "created_at"],
        select(new_ticket.c.id, literal(MessageKind.PATIENT.value, String()), bindparam("body", type_=Text()), now),
    ).cte("new_message")

    def new_event(kind: str) -> CTE:
        return insert(events).from_select(
            ["kind", "payload", "created_at", "dispatched_at", "attempts", "urgent"],
            select(
                literal(kind, String()),
                # The payload outbox.insert_event would write: json.dumps({"ticket_id": id}, sort_keys=True).
                func.concat('{"ticket_id": ', new_ticket.c.id, "}"),
                now, bindparam("dispatched_at", type_=DateTime()), bindparam("attempts", type_=Integer()),
                literal(urgent, Boolean()),
            ),
        ).returning(events.c.id).cte(f"new_{kind}")

    event_ids = [select(new_event(kind).c.id).scalar_subquery() for kind in SUBMISSION_EVENTS[urgent]]
    return select(new_ticket.c.id, *event_ids).add_cte(new_message)


# Every column given: inside a SELECT, SQLAlchemy fills in no INSERT defaults.
_TICKET_COLUMNS = ("reference", "patient_name", "patient_email", "requested_topic", "urgent", "reasons",
                   "needs_review", "status", "created_at", "updated_at")


def accept_question(*, name: str, email: str, question: str, topic: str | None) -> Submission:
    """The whole intake unit of work (POST /ask, POST /api/v1/questions): store, commit, hand over.

    One transaction: the ticket, its message, its outbox events and their dispatch mark commit
    together (outbox.promise), then the events go to the broker. A reference that collides
    with an existing one fails the INSERT; the submission is then simply made again.

    On PostgreSQL that transaction is the one submission statement on a connection of its own in
    autocommit mode: a single statement is atomic by itself, and BEGIN and COMMIT were two of
    its four round trips (the ORM session's bookkeeping around it went too).
    """
    fields = {"name": name, "email": email, "question": question, "topic": topic}
    # Inside a caller's open transaction (a test, a script) the submission simply joins it.
    single_statement = db.session.get_bind().dialect.name == "postgresql" and not db.session().in_transaction()
    reference, after_disconnect = new_reference(), False
    for attempt in range(3):
        try:
            if single_statement:
                with db.engine.connect() as connection:
                    autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
                    submission = submit_question(**fields, promise=True, connection=autocommit, reference=reference)
            else:
                submission = submit_question(**fields, promise=True, reference=reference)
                db.session.commit()
        except IntegrityError as exc:
            if not single_statement:
                db.session.rollback()
            if attempt == 2 or not _is_reference_collision(exc):
                raise
            if after_disconnect and (earlier := _stored_before_the_disconnect(reference, email)) is not None:
                submission = earlier
            else:
                reference, after_disconnect = new_reference(), False
                continue
        except DBAPIError as exc:
            # The pooled connection died (a database restart): SQLAlchemy has invalidated the
            # pool, so once more on a new connection, with the same reference, so that a
            # statement that did commit before the line dropped is found, not stored twice.
            if not (single_statement and exc.connection_invalidated) or attempt == 2:
                raise
            after_disconnect = True
            continue
        outbox.publish_promised(submission.handoffs)
        return submission
    raise AssertionError("unreachable")


def _stored_before_the_disconnect(reference: str, email: str) -> Submission | None:
    """The submission an attempt cut off by a disconnect did store, or None (a real collision)."""
    ticket = db.session.execute(
        select(Ticket.id, Ticket.urgent).where(Ticket.reference == reference, Ticket.patient_email == email)
    ).one_or_none()
    if ticket is None:
        db.session.rollback()
        return None
    kinds = SUBMISSION_EVENTS[ticket.urgent]
    events = db.session.execute(
        select(OutboxEvent.id, OutboxEvent.kind).where(
            OutboxEvent.payload_json == json.dumps({"ticket_id": ticket.id}, sort_keys=True),
            OutboxEvent.kind.in_(kinds), OutboxEvent.completed_at.is_(None))
    ).all()
    db.session.rollback()  # read only: end the transaction before publishing
    events.sort(key=lambda event: kinds.index(event.kind))
    # Published again: the tasks are idempotent, and its events were promised but never published.
    return Submission(
        ticket_id=ticket.id, reference=reference, urgent=ticket.urgent,
        emergency_advice=triage_port.EMERGENCY_ADVICE if ticket.urgent else None,
        event_ids=[event.id for event in events],
        handoffs=[outbox.handoff(event.kind, event.id, ticket.id, urgent=ticket.urgent) for event in events],
    )


def triage_ticket(ticket_id: int) -> list[int]:
    """Classify, route and queue the emails for one new ticket; commits; returns events to dispatch.

    Idempotent: the conditional UPDATE takes the row (a row lock on PostgreSQL, the write
    lock on SQLite) only while the ticket is still `new`, so a second run of the same task
    (double dispatch, redelivery after a crash) waits, then finds nothing to do.
    """
    claimed = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.status == TicketStatus.NEW.value)
        .values(updated_at=utcnow())
    )
    if claimed.rowcount == 0:
        db.session.rollback()
        return []
    ticket = db.session.execute(
        select(Ticket).where(Ticket.id == ticket_id).with_for_update(of=Ticket)
    ).scalar_one()
    result = triage_port.classify(ticket.question)
    decision = routing.decide(result)
    now = utcnow()
    ticket.tag = result.tag
    ticket.confidence = result.confidence
    ticket.urgent = ticket.urgent or result.urgent
    reasons = list(dict.fromkeys(ticket.reasons + list(result.reasons) + [decision.why]))
    if ticket.requested_topic and ticket.requested_topic != result.tag:
        reasons.append(f"patient chose {ticket.requested_topic}")
    ticket.reasons = reasons
    ticket.needs_review = decision.needs_review
    ticket.triaged_at = now
    if decision.surgeon is not None:
        ticket.assignee = decision.surgeon
        ticket.assigned_at = now
        ticket.status = TicketStatus.ASSIGNED.value
    else:
        ticket.status = TicketStatus.TRIAGED.value
    ticket.messages.append(Message(
        kind=MessageKind.SYSTEM.value,
        body=f"Triaged as {result.tag} ({result.confidence:.2f}); {decision.why}.",
    ))
    if decision.surgeon is not None:
        ticket_mail.queue_surgeon_notification(ticket, decision.surgeon)
    ticket_mail.queue_patient_acknowledgement(ticket)
    db.session.flush()
    event_ids = events_in_session()
    db.session.commit()
    return event_ids


def alert_red_flags(ticket_id: int) -> list[int]:
    """Queue every active coordinator's alert for an emergency question; commits; returns events to dispatch.

    Idempotent: the ticket row is locked first and each alert is keyed per coordinator, so a
    second run (double dispatch, redelivery) waits, then finds every alert already queued.
    """
    ticket = db.session.execute(
        select(Ticket).where(Ticket.id == ticket_id).with_for_update(of=Ticket)
    ).scalar_one_or_none()
    if ticket is None:  # erased before a worker got to it
        db.session.rollback()
        return []
    # The same rules on the same words give the reasons intake answered with; the stored ones
    # may by now carry the triage's own after them.
    reasons = [flag.reason for flag in triage_port.red_flags(ticket.question)] or ticket.reasons
    ticket_mail.queue_red_flag_alerts(ticket, reasons)
    event_ids = events_in_session()
    db.session.commit()
    return event_ids


def ticket_by_reference(reference: str) -> Ticket | None:
    return db.session.execute(select(Ticket).where(Ticket.reference == reference.upper())).scalar_one_or_none()
