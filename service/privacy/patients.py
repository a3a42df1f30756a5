"""A patient's rights over their data: a copy of everything we hold (export) and erasure (delete)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from service.audit.services import record
from service.email_identity import email_identity
from service.extensions import db
from service.mail.inbound.models import InboundMessage
from service.privacy.erasure import (
    ErasureCounts,
    close_if_open,
    erase_inbound,
    erase_outbound,
    erase_ticket,
    is_erased,
    pseudonym,
    tickets_of,
    unlinked_mail_filters,
)
from service.tickets.models import OutboundEmail, Ticket
from service.triage.models import TriageCorrection

EXPORT_FORMAT = "neurodesk.patient-export.v1"


def _when(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def _outbound(email: OutboundEmail) -> dict[str, Any]:
    return {
        "kind": email.kind, "to": email.to_addr, "subject": email.subject, "status": email.status,
        "created_at": _when(email.created_at), "sent_at": _when(email.sent_at),
        "message_id": email.message_id, "text_body": email.text_body,
    }


def _inbound(message: InboundMessage) -> dict[str, Any]:
    return {
        "from": message.from_address, "subject": message.subject, "status": message.status,
        "received_at": _when(message.received_at), "message_id": message.message_id,
        # The raw RFC 5322 message as we stored it: the most complete copy there is.
        "raw": message.raw.decode("utf-8", errors="replace") if message.raw else "",
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size, "kept": a.payload is not None}
            for a in message.attachments
        ],
    }


def _ticket(ticket: Ticket) -> dict[str, Any]:
    outbound = db.session.execute(
        select(OutboundEmail).where(OutboundEmail.ticket_id == ticket.id).order_by(OutboundEmail.id)
    ).scalars()
    inbound = db.session.execute(
        select(InboundMessage).where(InboundMessage.ticket_id == ticket.id).order_by(InboundMessage.id)
    ).scalars()
    corrections = db.session.execute(
        select(TriageCorrection.text).where(TriageCorrection.ticket_id == ticket.id).order_by(TriageCorrection.id)
    ).scalars()
    return {
        "reference": ticket.reference,
        "name": ticket.patient_name,
        "email": ticket.patient_email,
        "status": ticket.status,
        "topic_chosen": ticket.requested_topic,
        "tag": ticket.tag,
        "urgent": ticket.urgent,
        "assigned_to": ticket.assignee.name if ticket.assignee else None,
        "created_at": _when(ticket.created_at),
        "closed_at": _when(ticket.closed_at),
        "erased": is_erased(ticket.id),
        "messages": [
            {"kind": m.kind, "author": m.author.name if m.author else None, "body": m.body,
             "created_at": _when(m.created_at)}
            for m in ticket.messages
        ],
        "emails_sent": [_outbound(e) for e in outbound],
        "emails_received": [_inbound(m) for m in inbound],
        "triage_examples": list(corrections),
    }


def export(email: str) -> dict[str, Any]:
    """Everything held about the patient with this address, as one JSON-ready document."""
    inbound_filter, outbound_filter = unlinked_mail_filters(email)
    return {
        "format": EXPORT_FORMAT,
        "email": email_identity(email),
        "tickets": [_ticket(t) for t in tickets_of(email)],
        "other_emails_sent": [_outbound(e) for e in db.session.execute(
            select(OutboundEmail).where(outbound_filter).order_by(OutboundEmail.id)).scalars()],
        "other_emails_received": [_inbound(m) for m in db.session.execute(
            select(InboundMessage).where(inbound_filter).order_by(InboundMessage.id)).scalars()],
    }


def delete(email: str) -> ErasureCounts:
    """Erase every ticket and email of this patient (open tickets are closed first); commits; audited."""
    counts = ErasureCounts()
    closed = 0
    for ticket in tickets_of(email):
        closed += close_if_open(ticket)
        counts.add(erase_ticket(ticket, reason="patient_request"))
    inbound_filter, outbound_filter = unlinked_mail_filters(email)
    counts.outbound_emails += erase_outbound(outbound_filter, email, None)
    stray = list(db.session.execute(select(InboundMessage.id).where(inbound_filter)).scalars())
    messages, attachments = erase_inbound(stray, email)
    counts.inbound_messages += messages
    counts.attachments += attachments
    # The pseudonym names the request in the log without the address itself.
    record("patient.delete", target_type="patient", target_id=pseudonym(email), closed=closed, **counts.as_dict())
    db.session.commit()
    return counts

