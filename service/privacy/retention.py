"""Retention: erase the patient data of questions closed longer ago than the clinic keeps them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from service.audit.services import record
from service.extensions import db
from service.privacy.erasure import ErasureCounts, erase_ticket
from service.privacy.models import PrivacyErasure
from service.staff.models import utcnow
from service.tickets.models import Ticket, TicketStatus

ENDED = (TicketStatus.CLOSED.value, TicketStatus.SPAM.value)


@dataclass(frozen=True)
class PurgeResult:
    days: int
    dry_run: bool
    counts: ErasureCounts


def due_for_purge(days: int) -> list[Ticket]:
    """Closed or spam tickets closed more than `days` ago and not erased yet (oldest first)."""
    cutoff = utcnow() - timedelta(days=days)
    return list(db.session.execute(
        select(Ticket)
        .outerjoin(PrivacyErasure, PrivacyErasure.ticket_id == Ticket.id)
        .where(
            Ticket.status.in_(ENDED),
            Ticket.closed_at.is_not(None),
            Ticket.closed_at < cutoff,
            PrivacyErasure.id.is_(None),
        )
        .order_by(Ticket.closed_at, Ticket.id)
    ).scalars())


def purge(days: int, *, dry_run: bool = False) -> PurgeResult:
    """Erase every ticket due; commits once (all or nothing) with one audit event of counts only.

    Idempotent: erased tickets have a PrivacyErasure row and are never selected again. A dry
    run counts the tickets it would erase and changes nothing.
    """
    if days < 0:
        raise ValueError("days must be zero or more")
    tickets = due_for_purge(days)
    counts = ErasureCounts()
    if dry_run:
        counts.tickets = len(tickets)
        db.session.rollback()
        return PurgeResult(days, True, counts)
    for ticket in tickets:
        counts.add(erase_ticket(ticket, reason="retention"))
    # Counts only: the audit log is kept for years and must hold no patient data.
    record("retention.purge", target_type="retention", target_id=f"older_than_days:{days}", **counts.as_dict())
    db.session.commit()
    return PurgeResult(days, False, counts)
