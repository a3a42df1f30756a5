"""DeadlineAlert: a reminder or escalation about an overdue ticket was sent (once, ever)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.staff.models import utcnow
from service.tickets.models import OPEN_STATUSES, Ticket


class DeadlineAlert(db.Model):
    """One row per (ticket, kind). The UNIQUE constraint makes "send once" hold even when two
    beat runs overlap; the beat query skips tickets that already have their row, so old
    overdue tickets are not re-examined every five minutes."""

    __tablename__ = "deadline_alert"
    __table_args__ = (UniqueConstraint("ticket_id", "kind", name="uq_deadline_alert_ticket_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # reminder | escalation
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The queues sort and filter open tickets by age, the overview reads recent weeks. Declared
# here (the desk's need, migration 0008) so the model metadata matches the schema.
Index("ix_ticket_status_created_at", Ticket.status, Ticket.created_at)
Index("ix_ticket_created_at", Ticket.created_at)

# Lists at a real clinic's scale (migration 0013): a surgeon's history newest first, and the open
# work, a few thousand of a million tickets, through partial indexes that hold only open tickets
# (queries name them with tickets.models.open_ticket()).
_OPEN = Ticket.status.in_(OPEN_STATUSES)
Index("ix_ticket_assignee_created_at", Ticket.assignee_id, Ticket.created_at)
Index("ix_ticket_open_created_at", Ticket.created_at, Ticket.id, postgresql_where=_OPEN, sqlite_where=_OPEN)
Index("ix_ticket_open_assignee", Ticket.assignee_id, Ticket.created_at, postgresql_where=_OPEN, sqlite_where=_OPEN)
