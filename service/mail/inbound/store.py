"""Store the raw message first, deduplicated by Message-ID, and promise its processing.

Nothing is decided here: the webhook and the IMAP poller only need a durable copy and an
outbox event in one transaction, so the sender gets its answer fast and a crash after the
commit loses nothing (the relay re-dispatches the event).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.extensions import db
from service.mail.inbound.models import InboundMessage, InboundStatus, Source
from service.mail.inbound.parse import InboundEmail, parse_inbound
from service.tickets.outbox import _SESSION_KEY, add_event, events_in_session

MESSAGE_ID_MAX = 255


@dataclass(frozen=True)
class Stored:
    inbound_id: int
    duplicate: bool
    event_ids: list[int] = field(default_factory=list)


def db_text(value: str | None, limit: int) -> str | None:
    """Text a database accepts: PostgreSQL refuses NUL and lone surrogates; bounded length."""
    if value is None:
        return None
    value = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return value[:limit]


def storable_message_id(message_id: str) -> str:
    """The Message-ID as stored: a hostile multi-kilobyte id becomes a stable digest of itself."""
    cleaned = db_text(message_id, 10_000) or ""
    if len(cleaned) <= MESSAGE_ID_MAX and cleaned == message_id:
        return cleaned
    return f"<sha256.{hashlib.sha256(message_id.encode('utf-8', 'surrogatepass')).hexdigest()}@long-id.neurodesk.invalid>"


def parse(raw: bytes, reply_domain: str | None = None) -> InboundEmail:
    return parse_inbound(raw, reply_domain=reply_domain)


def find_by_message_id(message_id: str) -> InboundMessage | None:
    return db.session.execute(
        select(InboundMessage).where(InboundMessage.message_id == storable_message_id(message_id))
    ).scalar_one_or_none()


def store_raw(raw: bytes, source: Source) -> Stored:
    """Store one raw message and its processing event, and COMMIT (the unit of work of an intake).

    Race-safe: two deliveries of one Message-ID at once both insert, the UNIQUE constraint
    refuses the second at commit, and that caller reports a duplicate.
    """
    email = parse(raw)
    message_id = storable_message_id(email.message_id)
    existing = find_by_message_id(message_id)
    if existing is not None:
        db.session.rollback()
        return Stored(existing.id, duplicate=True)
    inbound = InboundMessage(
        message_id=message_id,
        raw=raw,
        size=len(raw),
        source=source.value,
        status=InboundStatus.PENDING.value,
        from_address=db_text(email.from_address, 254),
        subject=db_text(email.subject, 300),
    )
    db.session.add(inbound)
    try:
        db.session.flush()
        add_event("process_inbound", {"inbound_id": inbound.id})
        event_ids = events_in_session()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        db.session.info.pop(_SESSION_KEY, None)  # the rolled-back event must not be dispatched
        winner = find_by_message_id(message_id)
        if winner is None:  # pragma: no cover - a different constraint failed; let the edge see it
            raise
        return Stored(winner.id, duplicate=True)
    return Stored(inbound.id, duplicate=False, event_ids=event_ids)
