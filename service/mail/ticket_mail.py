"""The emails a ticket causes at intake and triage: what they say, to whom, with which headers."""
from __future__ import annotations

import logging
from contextlib import nullcontext

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from service.extensions import db
from service.mail.addresses import mailbox, message_id, reply_address_for
from service.mail.outbound import Draft, queue_email
from service.staff.models import Role, Staff
from service.tickets.models import OutboundEmail, Ticket
from service.tickets.triage_port import EMERGENCY_ADVICE

log = logging.getLogger(__name__)
TOPIC_NAMES = {"spine": "Spine", "brain": "Brain", "tos": "Thoracic outlet", "general": "General"}


def desk_url(ticket: Ticket) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/desk/tickets/{ticket.reference}"


def queue_red_flag_alerts(ticket: Ticket, reasons: list[str]) -> list[OutboundEmail]:
    """Every active coordinator hears about a red flag, from the urgent queue: ahead of other work."""
    coordinators = db.session.execute(
        select(Staff).where(Staff.role == Role.COORDINATOR.value, Staff.active.is_(True)).order_by(Staff.id)
        # An alert never reads their specialties: not the second query selectin would run for them.
        .options(lazyload(Staff.specialties))
    ).scalars().all()
    emails = []
    for coordinator in coordinators:
        emails.append(queue_email(Draft(
            key=f"ticket:{ticket.id}:red_flag_alert:{coordinator.id}",
            kind="red_flag_alert",
            to=mailbox(coordinator.name, coordinator.email),
            subject=f"URGENT [{ticket.reference}] red flag: {reasons[0] if reasons else 'emergency'}",
            template="red_flag_alert",
            context={"ticket": ticket, "reasons": reasons, "desk_url": desk_url(ticket), "staff": coordinator},
            message_id=message_id(ticket.reference, f"red-flag-alert-{coordinator.id}"),
            ticket=ticket,
            urgent=True,
        )))
    return emails


def queue_surgeon_notification(ticket: Ticket, surgeon: Staff) -> OutboundEmail:
    topic = TOPIC_NAMES.get(ticket.tag or "", ticket.tag or "General")
    urgent = "URGENT " if ticket.urgent else ""
    return queue_email(Draft(
        key=f"ticket:{ticket.id}:surgeon_notification:{surgeon.id}",
        kind="surgeon_notification",
        to=mailbox(surgeon.name, surgeon.email),
        subject=f"{urgent}[{ticket.reference}] New {topic.lower()} question",
        template="surgeon_notification",
        context={
            "ticket": ticket,
            "surgeon": surgeon,
            "topic": topic,
            # MAIL_INCLUDE_QUESTION=0: the email says only "a question waits" and links the
            # desk, so no health data sits in staff mailboxes (None hides it in the template).
            "question": ticket.question if current_app.config.get("MAIL_INCLUDE_QUESTION", True) else None,
            "desk_url": desk_url(ticket),
        },
        message_id=message_id(ticket.reference, f"notify-{surgeon.id}"),
        # Replies go to a signed address naming this ticket and this surgeon: the inbound
        # side trusts the token, never the From header.
        reply_to=reply_address_for(ticket.id, surgeon.id),
        ticket=ticket,
        urgent=ticket.urgent,
    ))


def queue_patient_acknowledgement(ticket: Ticket) -> OutboundEmail:
    return queue_email(Draft(
        key=f"ticket:{ticket.id}:patient_acknowledgement",
        kind="patient_acknowledgement",
        to=mailbox(ticket.patient_name, ticket.patient_email),
        subject=f"We received your question [{ticket.reference}]",
        template="patient_acknowledgement",
        context={
            "ticket": ticket,
            "emergency_advice": EMERGENCY_ADVICE if ticket.urgent else None,
            "related": related_reading(ticket.question),
            "base_url": current_app.config["PUBLIC_BASE_URL"],
        },
        message_id=message_id(ticket.reference, "ack"),
        reply_to=reply_address_for(ticket.id, None),
        ticket=ticket,
    ))


def related_reading(text: str, limit: int = 3) -> list[dict[str, str]]:
    """Up to `limit` articles/FAQs for the patient's question; an acknowledgement never fails for it."""
    from service.content.search import related_to_text

    try:
        # On PostgreSQL a failed statement aborts the whole transaction, the acknowledgement with
        # it: there the search runs in a savepoint, so a failure undoes only itself. (SQLite
        # carries on after a failed statement, and its driver's SAVEPOINT handling is unsafe.)
        postgres = db.session.get_bind().dialect.name == "postgresql"
        with db.session.begin_nested() if postgres else nullcontext():
            hits = related_to_text(text[:500], limit=limit)
    except Exception:  # search is a nicety here; the acknowledgement must still go out
        log.warning("related reading search failed", exc_info=True)
        return []
    base = current_app.config["PUBLIC_BASE_URL"]
    return [{"title": hit.title, "url": base + hit.path} for hit in hits[:limit]]
