"""Quarantined inbound mail as the desk shows it: counted in "needs review", listed on its ticket,
released by a coordinator.

The inbound room owns the mail itself (service/mail/inbound): storing, deciding, releasing.
The desk only reads `InboundMessage` rows (read-only, bounded) and calls their
`release_quarantined(inbound_id, staff)` to act.
"""
from __future__ import annotations

from sqlalchemy import func, select

from service.audit.services import record
from service.errors import Forbidden, NotFound
from service.extensions import db
from service.mail.inbound.models import InboundMessage, InboundStatus
from service.mail.inbound.processing import QuarantinePage, quarantined_messages, release_quarantined
from service.staff.models import Staff


def quarantined_count() -> int:
    return db.session.execute(
        select(func.count(InboundMessage.id)).where(InboundMessage.status == InboundStatus.QUARANTINED.value)
    ).scalar_one()


def for_ticket(ticket_id: int, limit: int = 50) -> list[InboundMessage]:
    """Quarantined inbound mail linked to one ticket (and any a coordinator already decided)."""
    return list(db.session.execute(
        select(InboundMessage)
        .where(InboundMessage.ticket_id == ticket_id,
               (InboundMessage.status == InboundStatus.QUARANTINED.value) | InboundMessage.decided_at.is_not(None))
        .order_by(InboundMessage.received_at, InboundMessage.id)
        .limit(limit)
    ).scalars())


def waiting(limit: int, offset: int) -> QuarantinePage:
    return quarantined_messages(limit=limit, offset=offset)


def release(inbound_id: int, staff: Staff) -> list[int]:
    """Release one quarantined message (coordinators and admins) through the inbound room's
    `release_quarantined`; records the audit event. Returns outbox event ids to dispatch
    after the caller's commit. `Conflict` when it cannot be relayed (no ticket, automatic)."""
    if not staff.sees_all_tickets:
        raise Forbidden("Only coordinators and admins release quarantined mail.")
    row = db.session.get(InboundMessage, inbound_id)
    if row is None or row.status != InboundStatus.QUARANTINED.value:
        raise NotFound("No such quarantined email.")
    event_ids = release_quarantined(inbound_id, staff)
    record("ticket.release", actor=staff, target_type="ticket", target_id=row.ticket_id or "none",
           inbound_id=inbound_id)
    return event_ids
