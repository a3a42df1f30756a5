"""What the triage engine learns from the clinic, and the engines it has trained."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.staff.models import utcnow


class TriageCorrection(db.Model):
    """A coordinator's re-tag: a labelled example in the patient's own words."""

    __tablename__ = "triage_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(Text)
    tag: Mapped[str] = mapped_column(String(20))
    previous_tag: Mapped[str | None] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class TrainedEngine(db.Model):
    """A trained TriageEngine (pickled by the service itself), newest row wins."""

    __tablename__ = "triage_engine"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    engine: Mapped[bytes] = mapped_column(LargeBinary)
    content_version: Mapped[str] = mapped_column(String(64))
    last_correction_id: Mapped[int] = mapped_column(default=0)
    content_examples: Mapped[int] = mapped_column(default=0)
    correction_examples: Mapped[int] = mapped_column(default=0)
    training_seconds: Mapped[float] = mapped_column(default=0.0)
