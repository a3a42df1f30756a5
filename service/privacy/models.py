"""PrivacyErasure: a ticket whose patient data has been erased (by retention or on request)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.staff.models import utcnow


class PrivacyErasure(db.Model):
    """One row per erased ticket: what makes a purge idempotent and tells the desk why a thread is empty.

    A row of its own rather than a column on `ticket`, so the erasure record is owned here and
    the ticket model stays the intake's.
    """

    __tablename__ = "privacy_erasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(String(20))  # retention | patient_request
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
