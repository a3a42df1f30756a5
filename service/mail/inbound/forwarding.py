"""Relaying a reply: the surgeon's answer to the patient, the patient's follow-up to the surgeon.

Both are human words passed on, not messages we generated, so per RFC 3834 section 5 they
do NOT carry `Auto-Submitted` (our acknowledgements and notifications do, as
`auto-generated`). They keep `X-Auto-Response-Suppress: All` so the recipient's Exchange
does not answer with an out-of-office, and they thread into the conversation the recipient
already has (In-Reply-To/References).
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from service.extensions import db
from service.mail.addresses import mailbox, message_id, reply_address_for
from service.mail.outbound import Draft, queue_email
from service.mail.ticket_mail import desk_url
from service.staff.models import Staff
from service.tickets.models import OutboundEmail, Ticket


def _sent(message_ids: list[str]) -> list[str]:
    """Those of `message_ids` we really sent (or queued), in order: threading only to real mail."""
    if not message_ids:
        return []
    known = set(db.session.execute(
        select(OutboundEmail.message_id).where(OutboundEmail.message_id.in_(message_ids))
    ).scalars())
    return [m for m in message_ids if m in known]


def _as_relayed(email: OutboundEmail, thread: list[str]) -> None:
    """Headers of a relayed human message; only on a fresh row (a sent one is history)."""
    if email.status != "queued" or email.attempts:
        return
    headers = email.headers
    headers.pop("Auto-Submitted", None)
    if thread:
        headers["In-Reply-To"] = thread[-1]
        headers["References"] = " ".join(thread)
    email.headers = headers


def queue_answer_to_patient(ticket: Ticket, inbound_id: int, author_name: str, answer: str) -> OutboundEmail:
    reference = ticket.reference
    email = queue_email(Draft(
        key=f"inbound:{inbound_id}:answer",
        kind="surgeon_answer",
        to=mailbox(ticket.patient_name, ticket.patient_email),
        subject=f"Re: [{reference}] Answer to your question",
        template="answer",
        context={"ticket": ticket, "author_name": author_name, "answer": answer,
                 "base_url": current_app.config["PUBLIC_BASE_URL"]},
        message_id=message_id(reference, f"answer-{inbound_id}"),
        # The patient's own signed address: a reply from them threads back into this ticket.
        reply_to=reply_address_for(ticket.id, None),
        ticket=ticket,
    ))
    _as_relayed(email, _sent([message_id(reference, "ack")]))
    return email


def queue_followup_to_surgeon(ticket: Ticket, inbound_id: int, surgeon: Staff, question: str,
                              *, urgent: bool) -> OutboundEmail:
    reference = ticket.reference
    email = queue_email(Draft(
        key=f"inbound:{inbound_id}:followup",
        kind="patient_followup",
        to=mailbox(surgeon.name, surgeon.email),
        subject=f"{'URGENT ' if urgent else ''}Re: [{reference}] Follow-up from the patient",
        template="followup",
        # MAIL_INCLUDE_QUESTION off: staff mail carries no patient text, only the desk link.
        context={"ticket": ticket, "surgeon": surgeon, "urgent": urgent,
                 "question": question if current_app.config.get("MAIL_INCLUDE_QUESTION", True) else None,
                 "desk_url": desk_url(ticket)},
        message_id=message_id(reference, f"followup-{inbound_id}"),
        reply_to=reply_address_for(ticket.id, surgeon.id),
        ticket=ticket,
        urgent=urgent,
    ))
    _as_relayed(email, _sent([message_id(reference, f"notify-{surgeon.id}")]))
    return email
