"""Erasing one ticket's patient data while keeping what statistics need.

Kept: the reference, status, tag, urgency, assignee and every timestamp (the desk's overview
and response-time figures stay right). Gone: every message text (patient, surgeon, notes),
the patient's name and address, every email body sent or received about the ticket, raw
inbound bytes and attachments, and the coordinators' re-tag examples quoting the patient.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, fields

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from service.email_identity import email_identity
from service.extensions import db
from service.mail.inbound.models import InboundAttachment, InboundMessage
from service.privacy.models import PrivacyErasure
from service.staff.models import utcnow
from service.tickets.models import EmailStatus, Message, OutboundEmail, Ticket, TicketStatus
from service.triage.models import TriageCorrection

ERASED = "[deleted]"
ERASED_NAME = "deleted"
ERASED_DOMAIN = "deleted.invalid"  # RFC 2606: can never receive mail


@dataclass
class ErasureCounts:
    tickets: int = 0
    messages: int = 0
    outbound_emails: int = 0
    inbound_messages: int = 0
    attachments: int = 0
    corrections: int = 0
    cancelled_emails: int = 0

    def add(self, other: ErasureCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def pseudonym(email: str) -> str:
    """A stable stand-in for an address: the same patient gets the same one, nobody can reverse it.

    Keyed with SECRET_KEY so a list of candidate addresses cannot be hashed offline and matched.
    """
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, email_identity(email).encode(), hashlib.sha256).hexdigest()[:16]
    return f"deleted-{digest}@{ERASED_DOMAIN}"


def is_erased(ticket_id: int) -> bool:
    return db.session.execute(
        select(PrivacyErasure.id).where(PrivacyErasure.ticket_id == ticket_id)
    ).first() is not None


def erase_ticket(ticket: Ticket, *, reason: str) -> ErasureCounts:
    """Erase one ticket in the caller's transaction; a ticket already erased is left alone."""
    counts = ErasureCounts()
    if is_erased(ticket.id):
        return counts
    email = ticket.patient_email
    alias = pseudonym(email)
    counts.tickets = 1
    counts.messages = db.session.execute(
        update(Message).where(Message.ticket_id == ticket.id).values(body=ERASED)
    ).rowcount
    # Mail not sent yet would now go out empty: cancel it (deliver() only claims `queued`).
    counts.cancelled_emails = db.session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.ticket_id == ticket.id, OutboundEmail.status == EmailStatus.QUEUED.value)
        .values(status=EmailStatus.FAILED.value, last_error="patient data erased before sending")
    ).rowcount
    counts.outbound_emails = erase_outbound(OutboundEmail.ticket_id == ticket.id, email, ticket.reference)
    inbound_ids = list(db.session.execute(
        select(InboundMessage.id).where(InboundMessage.ticket_id == ticket.id)
    ).scalars())
    counts.inbound_messages, counts.attachments = erase_inbound(inbound_ids, email)
    counts.corrections = db.session.execute(
        delete(TriageCorrection).where(TriageCorrection.ticket_id == ticket.id)
    ).rowcount
    ticket.patient_name = ERASED_NAME
    ticket.patient_email = alias
    db.session.add(PrivacyErasure(ticket_id=ticket.id, reason=reason, erased_at=utcnow()))
    db.session.flush()
    return counts


def erase_outbound(where, email: str, reference: str | None) -> int:
    """Blank the bodies of matching sent emails; the patient's address becomes the pseudonym."""
    subject = f"[{reference}] {ERASED}" if reference else ERASED
    changed = db.session.execute(
        update(OutboundEmail).where(where).values(text_body=ERASED, html_body=None, subject=subject)
    ).rowcount
    db.session.execute(update(OutboundEmail).where(where, addressed_to(email)).values(to_addr=pseudonym(email)))
    return changed


def erase_inbound(inbound_ids: list[int], email: str) -> tuple[int, int]:
    """Drop raw bytes and attachments of these inbound messages; keep id, status and dates."""
    if not inbound_ids:
        return 0, 0
    messages = db.session.execute(
        update(InboundMessage)
        .where(InboundMessage.id.in_(inbound_ids))
        .values(raw=b"", subject=None)
    ).rowcount
    db.session.execute(
        update(InboundMessage)
        .where(InboundMessage.id.in_(inbound_ids), func.lower(InboundMessage.from_address) == email_identity(email))
        .values(from_address=pseudonym(email))
    )
    attachments = db.session.execute(
        update(InboundAttachment)
        .where(InboundAttachment.inbound_id.in_(inbound_ids))
        .values(payload=None, filename=None)
    ).rowcount
    return messages, attachments


def close_if_open(ticket: Ticket) -> bool:
    if ticket.status in (TicketStatus.CLOSED.value, TicketStatus.SPAM.value):
        return False
    ticket.status = TicketStatus.CLOSED.value
    ticket.closed_at = utcnow()
    return True


def tickets_of(email: str) -> list[Ticket]:
    # lower(): rows stored before intake kept the identity form may still carry capitals.
    return list(db.session.execute(
        select(Ticket).where(func.lower(Ticket.patient_email) == email_identity(email)).order_by(Ticket.id)
    ).scalars())


def unlinked_mail_filters(email: str):
    """Mail from or to the patient that never matched a ticket (quarantine, bounces)."""
    address = email_identity(email)
    inbound = (InboundMessage.ticket_id.is_(None)) & (func.lower(InboundMessage.from_address) == address)
    return inbound, OutboundEmail.ticket_id.is_(None) & addressed_to(address)


def addressed_to(email: str):
    """`to_addr` is this address, bare or as `Name <address>` (mailbox()); never a mere substring."""
    address = email_identity(email)
    to = func.lower(OutboundEmail.to_addr)
    return or_(to == address, to.endswith(f"<{address}>", autoescape=True))
