"""Transactional outbox: events are written with the data, handed to Celery after commit.

If the broker is down at submit time the request still succeeds: the event stays
undispatched and the beat task `neurodesk.relay_outbox` hands it over later. Every task is
idempotent, so an event dispatched twice (relay racing the request) is harmless.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from celery import Celery
from flask import current_app
from sqlalchemy import or_, select

from service.extensions import db
from service.staff.models import utcnow
from service.tickets.models import EmailStatus, OutboundEmail, OutboxEvent, Ticket, TicketStatus

log = logging.getLogger(__name__)

# event kind -> (task name, payload key holding the task's only argument)
TASKS = {
    "triage_ticket": ("neurodesk.triage_ticket", "ticket_id"),
    "send_email": ("neurodesk.send_email", "email_id"),
    "process_inbound": ("neurodesk.process_inbound", "inbound_id"),
}
MAX_RELAY_ATTEMPTS = 50
_SESSION_KEY = "neurodesk.outbox_events"


def add_event(kind: str, payload: dict) -> OutboxEvent:
    """Add an event to the caller's transaction."""
    if kind not in TASKS:
        raise ValueError(f"unknown outbox event {kind!r}")
    event = OutboxEvent(kind=kind)
    event.payload = payload
    db.session.add(event)
    # Strong reference until the caller collects it: the identity map only holds weakly.
    db.session.info.setdefault(_SESSION_KEY, []).append(event)
    return event


def events_in_session() -> list[int]:
    """Ids of the events this unit of work created (flushes first); dispatch them after commit."""
    db.session.flush()
    events = db.session.info.pop(_SESSION_KEY, [])
    return sorted(event.id for event in events)


def _celery() -> Celery:
    return current_app.extensions["celery"]


def dispatch(event_ids: Iterable[int]) -> int:
    """Hand events to the broker; call after the commit that created them. Returns how many went."""
    sent = 0
    for event_id in event_ids:
        event = db.session.get(OutboxEvent, event_id)
        if event is None or event.completed_at is not None:
            continue
        task_name, key = TASKS[event.kind]
        argument = event.payload[key]
        event.attempts += 1
        try:
            _publish(task_name, argument, f"outbox-{event.id}-{event.attempts}")
        except Exception as exc:  # broker down: kombu/redis raise many types; the relay will retry
            # Log the kind and ids only: payloads never hold patient text, errors might.
            log.warning("outbox event %s (%s) not dispatched: %s", event.id, event.kind, type(exc).__name__)
            event.last_error = type(exc).__name__
            db.session.commit()
            break  # the broker is down for the rest too; do not wait on each
        event.dispatched_at = utcnow()
        event.last_error = None
        db.session.commit()
        sent += 1
    return sent


def _publish(task_name: str, argument: int, task_id: str) -> None:
    celery = _celery()
    if celery.conf.task_always_eager:
        celery.tasks[task_name].apply(args=[argument], task_id=task_id, throw=True)
        return
    # retry=False: a submit must not hang on a dead broker; the relay is the retry.
    celery.send_task(task_name, args=[argument], task_id=task_id, retry=False)


def relay_pending() -> int:
    """Beat task body: dispatch events the request could not, and re-dispatch stranded ones.

    * never dispatched and older than OUTBOX_RELAY_AFTER_SECONDS (the request had its chance);
    * dispatched more than OUTBOX_REDISPATCH_AFTER_SECONDS ago whose work is still undone
      (a worker died holding it, or the broker lost it).
    """
    now = utcnow()
    fresh_cutoff = now - timedelta(seconds=current_app.config.get("OUTBOX_RELAY_AFTER_SECONDS", 5))
    stale_cutoff = now - timedelta(seconds=current_app.config.get("OUTBOX_REDISPATCH_AFTER_SECONDS", 900))
    candidates = db.session.execute(
        select(OutboxEvent)
        .where(
            OutboxEvent.completed_at.is_(None),
            OutboxEvent.attempts < MAX_RELAY_ATTEMPTS,
            or_(
                (OutboxEvent.dispatched_at.is_(None)) & (OutboxEvent.created_at <= fresh_cutoff),
                OutboxEvent.dispatched_at <= stale_cutoff,
            ),
        )
        .order_by(OutboxEvent.id)
        .limit(200)
    ).scalars().all()
    due = []
    for event in candidates:
        if event.dispatched_at is not None and _work_done(event):
            event.completed_at = now  # out of the stale window for good
        else:
            due.append(event.id)
    db.session.commit()
    return dispatch(due)


def _work_done(event: OutboxEvent) -> bool:
    if event.kind == "triage_ticket":
        ticket = db.session.get(Ticket, event.payload["ticket_id"])
        return ticket is None or ticket.status != TicketStatus.NEW.value
    if event.kind == "process_inbound":
        from service.mail.inbound.models import InboundMessage, InboundStatus  # inbound builds on tickets

        inbound = db.session.get(InboundMessage, event.payload["inbound_id"])
        return inbound is None or inbound.status != InboundStatus.PENDING.value
    email = db.session.get(OutboundEmail, event.payload["email_id"])
    return email is None or email.status != EmailStatus.QUEUED.value
