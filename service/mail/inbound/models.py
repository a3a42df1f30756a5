"""Inbound mail as stored: the raw message first (nothing is lost), then what we decided about it."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.staff.models import Staff, utcnow
from service.tickets.models import Ticket


class InboundStatus(str, enum.Enum):
    PENDING = "pending"          # stored, not processed yet
    FORWARDED = "forwarded"      # relayed to the patient (answer) or the surgeon (follow-up)
    STORED = "stored"            # recorded on its ticket, nobody to relay it to (no assignee)
    QUARANTINED = "quarantined"  # waits for a coordinator: failed the token or sender check
    AUTOMATIC = "automatic"      # auto-reply, bounce, list mail: recorded, never relayed
    DUPLICATE = "duplicate"      # our own mail coming back (a loop): ignored
    REJECTED = "rejected"        # a coordinator looked at it and dismissed it


class MatchedBy(str, enum.Enum):
    TOKEN = "token"
    THREAD = "thread"
    SUBJECT = "subject"
    NONE = "none"


class Source(str, enum.Enum):
    WEBHOOK = "webhook"
    IMAP = "imap"


class InboundMessage(db.Model):
    __tablename__ = "inbound_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # UNIQUE: the same reply delivered twice (webhook retry, IMAP re-poll) is stored once.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    source: Mapped[str] = mapped_column(String(10))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(20), default=InboundStatus.PENDING.value, index=True)
    reason: Mapped[str | None] = mapped_column(String(300))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"), index=True)
    from_address: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(300))
    matched_by: Mapped[str] = mapped_column(String(10), default=MatchedBy.NONE.value)
    processed_at: Mapped[datetime | None]
    # Who released or dismissed a quarantined message, and when.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]

    ticket: Mapped[Ticket | None] = relationship()
    decided_by: Mapped[Staff | None] = relationship()
    attachments: Mapped[list[InboundAttachment]] = relationship(
        back_populates="inbound", order_by="InboundAttachment.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<InboundMessage {self.id} {self.status}>"


class InboundAttachment(db.Model):
    __tablename__ = "inbound_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    inbound_id: Mapped[int] = mapped_column(ForeignKey("inbound_message.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    # Only accepted files keep a payload; a rejected one stays readable in the raw message.
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    accepted: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(String(200))  # why it was rejected

    inbound: Mapped[InboundMessage] = relationship(back_populates="attachments")
