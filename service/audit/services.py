"""Recording audit events and reading them back. There is deliberately no update or delete."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from service import keyset
from service.audit.models import AuditEvent
from service.extensions import db
from service.staff.models import Staff

SYSTEM_LABEL = "system"
# Newest first by id: the log is append-only, so ids follow the order events were recorded.
NEWEST_FIRST = keyset.Order(keyset.Key(AuditEvent.id, int, descending=True))


def record(
    action: str,
    *,
    actor: Staff | None = None,
    target_type: str,
    target_id: str | int,
    **detail: Any,
) -> AuditEvent:
    """Add one event to the session (the caller commits, with the change it describes).

    `actor=None` means the system (a worker, a CLI command). Never pass secrets or patient
    message text in `detail`: the log is read by admins and kept for a long time.
    """
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.email if actor is not None else SYSTEM_LABEL,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=json.dumps(detail, default=str, sort_keys=True),
    )
    db.session.add(event)
    return event


def events_for(target_type: str, target_id: str | int, *, limit: int = 200) -> list[AuditEvent]:
    """The history of one record, oldest first (a ticket page's history panel)."""
    return list(
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.target_type == target_type, AuditEvent.target_id == str(target_id))
            .order_by(AuditEvent.created_at, AuditEvent.id)
            .limit(limit)
        ).scalars()
    )


def recent_events(*, limit: int = 50, action_prefix: str | None = None) -> list[AuditEvent]:
    """The newest events first, optionally one family of actions (e.g. "login.")."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action_prefix:
        query = query.where(AuditEvent.action.startswith(action_prefix, autoescape=True))
    return list(db.session.execute(query).scalars())


def count_events(cap: int) -> int:
    """How many events the log holds, counted no further than cap + 1."""
    return keyset.bounded_count(select(AuditEvent.id), cap)


def events_page(size: int, *, after: str | None = None, before: str | None = None, number: int = 1) -> keyset.Window:
    """One page of the whole log, newest first: page `number`, or after/before a cursor."""
    return keyset.read_page(select(AuditEvent), NEWEST_FIRST, size, after=after, before=before, number=number)
