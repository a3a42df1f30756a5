"""Patient questions (tickets), their thread, the transactional outbox and every email we send."""
from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ForeignKey, Index, String, Text, bindparam, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.staff.models import Staff, utcnow


class TicketStatus(str, enum.Enum):
    NEW = "new"
    TRIAGED = "triaged"  # classified, waiting in the coordinators' review queue
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    CLOSED = "closed"
    SPAM = "spam"


OPEN_STATUSES = (TicketStatus.NEW.value, TicketStatus.TRIAGED.value, TicketStatus.ASSIGNED.value)


class MessageKind(str, enum.Enum):
    PATIENT = "patient"
    SURGEON = "surgeon"
    NOTE = "note"
    SYSTEM = "system"


class Ticket(db.Model):
    __tablename__ = "ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random and unguessable: the reference alone opens the patient's confirmation page.
    reference: Mapped[str] = mapped_column(String(11), unique=True)
    patient_name: Mapped[str] = mapped_column(String(120))
    patient_email: Mapped[str] = mapped_column(String(254), index=True)
    requested_topic: Mapped[str | None] = mapped_column(String(20))  # what the patient ticked, if anything
    tag: Mapped[str | None] = mapped_column(String(20))
    confidence: Mapped[float | None]
    urgent: Mapped[bool] = mapped_column(default=False)
    reasons_json: Mapped[str] = mapped_column("reasons", Text, default="[]")
    needs_review: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default=TicketStatus.NEW.value, index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    triaged_at: Mapped[datetime | None]
    assigned_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    assignee: Mapped[Staff | None] = relationship(lazy="joined")
    messages: Mapped[list[Message]] = relationship(
        back_populates="ticket", order_by="Message.id", cascade="all, delete-orphan"
    )

    @property
    def reasons(self) -> list[str]:
        return json.loads(self.reasons_json or "[]")

    @reasons.setter
    def reasons(self, value: list[str]) -> None:
        self.reasons_json = json.dumps(list(value))

    @property
    def question(self) -> str:
        """The patient's first message: what they asked through the form or the API."""
        for message in self.messages:
            if message.kind == MessageKind.PATIENT.value:
                return message.body
        return ""

    def __repr__(self) -> str:
        return f"<Ticket {self.reference} {self.status}>"


def open_ticket() -> ColumnElement[bool]:
    """SQL: the ticket is open (new, triaged or assigned). The statuses are written into the SQL,
    not bound: SQLite (and PostgreSQL's generic plans) use a partial index only for a WHERE that
    names its predicate's values (the open-ticket indexes in service/desk/models.py)."""
    return Ticket.status.in_(bindparam("open_statuses", list(OPEN_STATUSES), expanding=True,
                                       literal_execute=True, unique=True))


class Message(db.Model):
    __tablename__ = "ticket_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    # RFC 5322 Message-ID of the email this came in as (or went out as), for threading and dedup.
    message_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    author: Mapped[Staff | None] = relationship()


class OutboxEvent(db.Model):
    """Work promised in the same transaction as the data it is about; the relay hands it to Celery."""

    __tablename__ = "outbox_event"
    __table_args__ = (
        Index("ix_outbox_event_pending", "dispatched_at", "created_at"),
        # The relay's beat query: only work not yet done, however many millions are finished.
        Index("ix_outbox_event_undone", "id", postgresql_where=text("completed_at IS NULL"),
              sqlite_where=text("completed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # a key of outbox.TASKS
    payload_json: Mapped[str] = mapped_column("payload", Text, default="{}")
    # Work for an emergency (its triage, the coordinators' alerts and mail): handed to the urgent
    # queue, which workers empty before the rest, so it never waits behind a burst of questions.
    urgent: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]  # set by the relay once it sees the work done
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(255))

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.payload_json or "{}")

    @payload.setter
    def payload(self, value: dict[str, Any]) -> None:
        self.payload_json = json.dumps(value, sort_keys=True)


class EmailStatus(str, enum.Enum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    KEPT = "kept"  # no MAIL_SERVER: stays in the dev mailbox (/desk/mail)


class OutboundEmail(db.Model):
    """Every email is a row before it is a message: the idempotency guard and the dev mailbox."""

    __tablename__ = "outbound_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. "ticket:12:surgeon_notification:1"; a second attempt to queue the same email finds this row.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"), index=True)
    to_addr: Mapped[str] = mapped_column(String(400))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    headers_json: Mapped[str] = mapped_column("headers", Text, default="{}")
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=EmailStatus.QUEUED.value, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]

    ticket: Mapped[Ticket | None] = relationship()

    @property
    def headers(self) -> dict[str, str]:
        return json.loads(self.headers_json or "{}")

    @headers.setter
    def headers(self, value: dict[str, str]) -> None:
        self.headers_json = json.dumps(value)
