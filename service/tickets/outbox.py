"""Transactional outbox: events are written with the data, handed to Celery after commit.

If the broker is down at submit time the request still succeeds: the event stays
undispatched and the beat task `neurodesk.relay_outbox` hands it over later. Every task is
idempotent, so an event dispatched twice (relay racing the request) is harmless.

Two ways to hand events over:

* `dispatch(event_ids)` after the commit that created them (workers, desk, webhook): publish,
  then record `dispatched_at` in one bookkeeping transaction that PostgreSQL need not flush to
  disk before answering (`synchronous_commit off`): a bookkeeping row lost in a database crash
  only makes the relay dispatch the event again, which idempotent tasks shrug off.
* `promise(event_ids)` before the commit, then `publish_promised(...)` after it (the intake
  request, the hot path): `dispatched_at` rides in the data's own transaction, so a submission
  costs one commit, not two. If the publish fails, the mark is undone at once and the relay
  hands the event over within seconds. If the process dies between the commit and the publish,
  the event looks dispatched and unfinished, and the relay re-dispatches it after
  OUTBOX_REDISPATCH_AFTER_SECONDS, exactly as for a message the broker lost.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from celery import Celery
from flask import current_app
from kombu import Producer
from kombu.transport import virtual
from sqlalchemy import Connection, func, insert, or_, select, text, update

from service.config import URGENT_QUEUE
from service.extensions import db
from service.staff.models import Role, Staff, utcnow
from service.tickets import broker_memory
from service.tickets.models import EmailStatus, OutboundEmail, OutboxEvent, Ticket, TicketStatus

log = logging.getLogger(__name__)

# event kind -> (task name, payload key holding the task's only argument)
TASKS = {
    "triage_ticket": ("neurodesk.triage_ticket", "ticket_id"),
    "alert_red_flags": ("neurodesk.alert_red_flags", "ticket_id"),
    "send_email": ("neurodesk.send_email", "email_id"),
    "process_inbound": ("neurodesk.process_inbound", "inbound_id"),
}

MAX_RELAY_ATTEMPTS = 50
_SESSION_KEY = "neurodesk.outbox_events"


def add_event(kind: str, payload: dict, *, urgent: bool = False) -> OutboxEvent:
    """Add an event to the caller's transaction (`urgent`: work for an emergency, see URGENT_QUEUE)."""
    if kind not in TASKS:
        raise ValueError(f"unknown outbox event {kind!r}")
    event = OutboxEvent(kind=kind, urgent=urgent)
    event.payload = payload
    db.session.add(event)
    # Strong reference until the caller collects it: the identity map only holds weakly.
    db.session.info.setdefault(_SESSION_KEY, []).append(event)
    return event


def insert_event(connection: Connection, kind: str, payload: dict, *, promised: bool,
                 urgent: bool = False) -> Handoff:
    """One event written straight to the caller's transaction (no ORM object: the intake hot path).

    `promised`: already marked dispatched, as `promise` would mark it; publish the returned
    Handoff with `publish_promised` after the commit. Otherwise `dispatch([handoff.event_id])`.
    """
    key = TASKS[kind][1]
    table = OutboxEvent.__table__
    now = utcnow()
    event_id = connection.execute(
        insert(table).returning(table.c.id),
        {"kind": kind, "payload": json.dumps(payload, sort_keys=True), "created_at": now,
         "dispatched_at": now if promised else None, "attempts": 1 if promised else 0, "urgent": urgent},
    ).scalar_one()
    return handoff(kind, event_id, payload[key], urgent=urgent)


def handoff(kind: str, event_id: int, argument: int, attempt: int = 1, *, urgent: bool = False) -> Handoff:
    """The handoff for an event of `kind` (also for one a caller inserted itself: tickets.services)."""
    return Handoff(event_id, TASKS[kind][0], argument, attempt, urgent)


def events_in_session() -> list[int]:
    """Ids of the events this unit of work created (flushes first); dispatch them after commit."""
    db.session.flush()
    events = db.session.info.pop(_SESSION_KEY, [])
    return sorted(event.id for event in events)


def _celery() -> Celery:
    return current_app.extensions["celery"]


@dataclass(frozen=True)
class Handoff:
    """One event promised to the broker: everything needed to publish it without the ORM."""

    event_id: int
    task_name: str
    argument: int
    attempt: int
    urgent: bool = False

    @property
    def task_id(self) -> str:
        return f"outbox-{self.event_id}-{self.attempt}"


def _handoff(event_id: int, kind: str, payload_json: str, attempt: int, urgent: bool) -> Handoff:
    """The handoff for a stored event row (its argument read from the payload)."""
    return handoff(kind, event_id, json.loads(payload_json or "{}")[TASKS[kind][1]], attempt, urgent=urgent)


def dispatch(event_ids: Iterable[int]) -> int:
    """Hand events to the broker; call after the commit that created them. Returns how many went."""
    ids = sorted(set(event_ids))
    if not ids:
        return 0
    rows = db.session.execute(
        select(OutboxEvent.id, OutboxEvent.kind, OutboxEvent.payload_json, OutboxEvent.attempts, OutboxEvent.urgent)
        .where(OutboxEvent.id.in_(ids), OutboxEvent.completed_at.is_(None))
        .order_by(OutboxEvent.id)
    ).all()
    handoffs = [_handoff(row.id, row.kind, row.payload_json, row.attempts + 1, row.urgent) for row in rows]
    sent, failure = _publish_all(handoffs)
    if sent:
        db.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_([h.event_id for h in handoffs[:sent]]))
            .values(dispatched_at=utcnow(), attempts=OutboxEvent.attempts + 1, last_error=None)
        )
    if failure is not None:
        db.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == handoffs[sent].event_id)
            .values(attempts=OutboxEvent.attempts + 1, last_error=failure)
        )
    if rows:
        _commit_bookkeeping()
    else:
        db.session.rollback()
    return sent


def mark_completed(event_ids: Iterable[int]) -> None:
    """Events whose work a worker did itself, without the broker: out of the relay's sight."""
    ids = sorted(set(event_ids))
    if not ids:
        return
    now = utcnow()
    db.session.execute(
        update(OutboxEvent).where(OutboxEvent.id.in_(ids))
        .values(completed_at=now, dispatched_at=func.coalesce(OutboxEvent.dispatched_at, now))
    )
    _commit_bookkeeping()


def promise(event_ids: Iterable[int]) -> list[Handoff]:
    """Before the caller's commit: mark the events dispatched in that same transaction.

    One UPDATE ... RETURNING; hand the result to `publish_promised` after the commit.
    """
    ids = sorted(set(event_ids))
    if not ids:
        return []
    rows = db.session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(ids))
        .values(dispatched_at=utcnow(), attempts=OutboxEvent.attempts + 1)
        .returning(OutboxEvent.id, OutboxEvent.kind, OutboxEvent.payload_json, OutboxEvent.attempts,
                   OutboxEvent.urgent)
    ).all()
    return sorted((_handoff(*row) for row in rows), key=lambda h: h.event_id)


def publish_promised(handoffs: list[Handoff]) -> int:
    """After the commit: publish promised events; on a broker failure give the rest to the relay."""
    sent, failure = _publish_all(handoffs)
    if failure is not None:
        failed, untried = handoffs[sent], [h.event_id for h in handoffs[sent + 1:]]
        # Back to "never dispatched", so the relay picks them up after OUTBOX_RELAY_AFTER_SECONDS.
        db.session.execute(
            update(OutboxEvent).where(OutboxEvent.id == failed.event_id)
            .values(dispatched_at=None, last_error=failure)
        )
        if untried:
            db.session.execute(
                update(OutboxEvent).where(OutboxEvent.id.in_(untried))
                .values(dispatched_at=None, attempts=OutboxEvent.attempts - 1)
            )
        db.session.commit()  # durable: a lost undo would leave these waiting for the stale rule
    return sent


def _publish_all(handoffs: list[Handoff]) -> tuple[int, str | None]:
    """Publish in order; stop at the first failure. Returns (how many went, error class or None)."""
    for sent, handoff in enumerate(handoffs):
        try:
            _publish(handoff)
        except Exception as exc:  # broker down: kombu/redis raise many types; the relay will retry
            # Log the kind and ids only: payloads never hold patient text, errors might.
            log.warning("outbox event %s (%s) not dispatched: %s", handoff.event_id, handoff.task_name,
                        type(exc).__name__)
            return sent, type(exc).__name__  # the broker is down for the rest too; do not wait on each
    return len(handoffs), None


def _commit_bookkeeping() -> None:
    """Commit a transaction holding only outbox bookkeeping, without waiting for the disk flush."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    db.session.commit()


def _publish(handoff: Handoff) -> None:
    celery = _celery()
    task_name, argument, task_id = handoff.task_name, handoff.argument, handoff.task_id
    if celery.conf.task_always_eager:
        celery.tasks[task_name].apply(args=[argument], task_id=task_id, throw=True)
        return
    # Celery's own message (amqp.create_task_message) and send (amqp.send_task_message), without
    # send_task's routing and option merging around them: the outbox already knows the queue.
    # ignore_result: nothing waits for a result (the Redis result backend would otherwise
    # SUBSCRIBE from the web process). argsrepr/kwargsrepr given: Celery otherwise builds them
    # with saferepr, a tenth of a publish. retry=False: a submit must not hang on a dead broker;
    # the relay is the retry.
    amqp = celery.amqp
    message = amqp.create_task_message(task_id, task_name, [argument], {}, argsrepr=f"[{argument!r}]",
                                       kwargsrepr="{}", ignore_result=True)
    with celery.producer_or_acquire() as producer:
        amqp.send_task_message(producer, task_name, message, retry=False,
                               queue=URGENT_QUEUE if handoff.urgent else celery.conf.task_default_queue,
                               declare=_nothing_to_declare(producer))


def _nothing_to_declare(producer: Producer) -> list | None:
    """`[]` (declare nothing) on kombu's virtual transports (Redis, the embedded SQLite broker),
    None (Celery declares the queue) elsewhere. Published to the anonymous exchange, a virtual
    transport puts the message straight into the list named by the queue; the per-publish check
    of kombu's declared-entities cache was 3% of an intake request. An AMQP broker such as
    RabbitMQ drops a message for a queue never declared, so there Celery's default stays."""
    return [] if isinstance(producer.channel, virtual.Channel) else None


RELAY_BATCH = 200


def relay_pending() -> int:
    """Beat task body: dispatch events the request could not, and re-dispatch stranded ones.

    * never dispatched and older than OUTBOX_RELAY_AFTER_SECONDS (the request had its chance);
    * dispatched more than OUTBOX_REDISPATCH_AFTER_SECONDS ago whose work is still undone
      (a worker died holding it), or OUTBOX_URGENT_REDISPATCH_AFTER_SECONDS for an emergency's;
    * every dispatched and undone event, at once, when the broker came back without its memory.
    """
    redispatch_all = broker_memory.forgotten()
    if redispatch_all:
        log.warning("the broker lost its queued tasks: re-dispatching every undone event")
    relayed, after_id = 0, 0
    while True:
        candidates, due = _relay_candidates(after_id, redispatch_all)
        sent = dispatch(due)
        relayed += sent
        if not redispatch_all or sent < len(due):
            break  # a broker that failed again: the next tick starts over, marker still missing
        if len(candidates) < RELAY_BATCH:
            broker_memory.remember()
            break
        after_id = candidates[-1]
    return relayed


def _relay_candidates(after_id: int, redispatch_all: bool) -> tuple[list[int], list[int]]:
    """One batch of undone events past `after_id` (ids looked at, ids due); commits the look."""
    config = current_app.config
    now = utcnow()
    fresh_cutoff = now - timedelta(seconds=config.get("OUTBOX_RELAY_AFTER_SECONDS", 5))
    stale_cutoff = now - timedelta(seconds=config.get("OUTBOX_REDISPATCH_AFTER_SECONDS", 900))
    urgent_cutoff = now - timedelta(seconds=config.get("OUTBOX_URGENT_REDISPATCH_AFTER_SECONDS", 45))
    never_dispatched = OutboxEvent.dispatched_at.is_(None) & (OutboxEvent.created_at <= fresh_cutoff)
    stranded = OutboxEvent.dispatched_at.is_not(None) if redispatch_all else or_(
        OutboxEvent.dispatched_at <= stale_cutoff,
        OutboxEvent.urgent.is_(True) & (OutboxEvent.dispatched_at <= urgent_cutoff),
    )
    candidates = db.session.execute(
        select(OutboxEvent)
        .where(
            OutboxEvent.completed_at.is_(None),
            OutboxEvent.attempts < MAX_RELAY_ATTEMPTS,
            OutboxEvent.id > after_id,
            or_(never_dispatched, stranded),
        )
        .order_by(OutboxEvent.id)
        .limit(RELAY_BATCH)
    ).scalars().all()
    due = []
    for event in candidates:
        if event.dispatched_at is not None and _work_done(event):
            event.completed_at = now  # out of the stale window for good
        else:
            due.append(event.id)
    looked_at = [event.id for event in candidates]
    db.session.commit()
    return looked_at, due


def _work_done(event: OutboxEvent) -> bool:
    if event.kind == "triage_ticket":
        ticket = db.session.get(Ticket, event.payload["ticket_id"])
        return ticket is None or ticket.status != TicketStatus.NEW.value
    if event.kind == "alert_red_flags":
        # Done once any alert is queued for the ticket (they are written together), or when
        # there was nobody to alert: with no active coordinator a re-run writes nothing either.
        alerted = select(OutboundEmail.id).where(
            OutboundEmail.ticket_id == event.payload["ticket_id"], OutboundEmail.kind == "red_flag_alert")
        coordinators = select(Staff.id).where(Staff.role == Role.COORDINATOR.value, Staff.active.is_(True))
        return (db.session.get(Ticket, event.payload["ticket_id"]) is None
                or db.session.execute(alerted.limit(1)).first() is not None
                or db.session.execute(coordinators.limit(1)).first() is None)
    if event.kind == "process_inbound":
        from service.mail.inbound.models import InboundMessage, InboundStatus  # inbound builds on tickets

        inbound = db.session.get(InboundMessage, event.payload["inbound_id"])
        return inbound is None or inbound.status != InboundStatus.PENDING.value
    email = db.session.get(OutboundEmail, event.payload["email_id"])
    return email is None or email.status != EmailStatus.QUEUED.value
