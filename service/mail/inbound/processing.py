"""What happens to a stored inbound message: ignore, record, quarantine or relay.

Relaying needs all of: a verified reply token, a sender who is the person that token was
issued to (an active staff member on the ticket, or the ticket's patient), human (not
automatic) mail, and new text left after cleaning. Anything less waits in quarantine for a
coordinator: a forged From with a stolen token, a reply that only names the reference in
its subject, a colleague's forward. Nothing here ever answers the sender (RFC 3834: no
auto-replies from us, so no loops).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from service.email_identity import email_identity
from service.errors import Conflict, NotFound
from service.extensions import db
from service.mail import ticket_mail
from service.mail.inbound.attachments import screen_attachments
from service.mail.inbound.cleaning import clean_reply
from service.mail.inbound.forwarding import queue_answer_to_patient, queue_followup_to_surgeon
from service.mail.inbound.matching import Match, embedded_ticket, match_ticket
from service.mail.inbound.models import InboundMessage, InboundStatus, MatchedBy
from service.mail.inbound.parse import InboundEmail
from service.mail.inbound.store import db_text, parse, storable_message_id
from service.staff.models import Staff, utcnow
from service.tickets import triage_port
from service.tickets.models import Message, MessageKind, OutboundEmail, Ticket, TicketStatus
from service.tickets.outbox import _SESSION_KEY, events_in_session

log = logging.getLogger(__name__)
MAX_BODY_CHARS = 50_000
_WORD = re.compile(r"\w{2,}")


@dataclass(frozen=True)
class Outcome:
    status: InboundStatus
    reason: str | None = None


# -- the task body ---------------------------------------------------------------------------

def process_inbound(inbound_id: int) -> list[int]:
    """Decide about one pending inbound message; commits; returns outbox events to dispatch.

    Idempotent: the conditional UPDATE takes the row only while it is `pending` (a row lock
    on PostgreSQL, the write lock on SQLite), so a second run waits, then finds nothing. A
    worker that dies before COMMIT leaves it `pending` and the relay dispatches it again.
    """
    claimed = db.session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == inbound_id, InboundMessage.status == InboundStatus.PENDING.value)
        .values(processed_at=utcnow())
    )
    if claimed.rowcount == 0:
        db.session.rollback()
        return []
    inbound = db.session.execute(
        select(InboundMessage).where(InboundMessage.id == inbound_id).with_for_update(of=InboundMessage)
    ).scalar_one()
    email = parse(inbound.raw, current_app.config["INBOUND_EMAIL_DOMAIN"])
    try:
        outcome = _decide(inbound, email)
    except OperationalError:
        raise  # the database is busy or gone: the relay dispatches the message again
    except Exception as exc:  # a message we cannot handle must not retry forever: a person looks
        log.exception("inbound %s could not be processed", inbound_id)
        db.session.rollback()
        db.session.info.pop(_SESSION_KEY, None)
        db.session.execute(
            update(InboundMessage).where(InboundMessage.id == inbound_id, InboundMessage.status == InboundStatus.PENDING.value)
            .values(status=InboundStatus.QUARANTINED.value, processed_at=utcnow(),
                    reason=f"could not be processed ({type(exc).__name__})")
        )
        db.session.commit()
        return []
    inbound.status = outcome.status.value
    inbound.reason = db_text(outcome.reason, 300)
    if outcome.status is InboundStatus.QUARANTINED:
        # Ids only: the reason may name addresses, never the text.
        log.info("inbound %s quarantined: %s", inbound.id, outcome.status.value)
    event_ids = events_in_session()
    db.session.commit()
    return event_ids


def _decide(inbound: InboundMessage, email: InboundEmail) -> Outcome:
    loop = _loop(email)
    if loop:
        return Outcome(InboundStatus.DUPLICATE, loop)
    inbound.attachments = screen_attachments(email.attachments)
    match = match_ticket(email)
    inbound.ticket = match.ticket
    inbound.matched_by = match.matched_by.value
    if email.automatic:
        return _record_automatic(inbound, email, match)
    if email.size > 0 and not email.text and any("body not read" in p for p in email.problems):
        return Outcome(InboundStatus.QUARANTINED, "message larger than 10 MB: body not read")
    if match.problem or match.token is None or match.ticket is None:
        return Outcome(InboundStatus.QUARANTINED, match.problem or "no reply token")
    ticket, token = match.ticket, match.token
    if ticket.status == TicketStatus.SPAM.value:
        return Outcome(InboundStatus.QUARANTINED, "the ticket is marked as spam")
    sender = email_identity(email.from_address or "")
    if token.staff_id is None:
        if sender != email_identity(ticket.patient_email):
            return Outcome(InboundStatus.QUARANTINED, "sender is not the ticket's patient")
        text = _new_text(email)
        if text is None:
            return Outcome(InboundStatus.QUARANTINED, "no new text after removing quoted history and signature")
        return _relay_followup(inbound, ticket, text)
    staff = db.session.get(Staff, token.staff_id)
    if staff is None or not staff.active:
        return Outcome(InboundStatus.QUARANTINED, "the reply address belongs to no active staff member")
    if sender != email_identity(staff.email):
        return Outcome(InboundStatus.QUARANTINED, "sender is not the staff member the reply address was issued to")
    if ticket.assignee_id != staff.id and not staff.sees_all_tickets:
        return Outcome(InboundStatus.QUARANTINED, "sender is no longer assigned to the ticket")
    text = _new_text(email)
    if text is None:
        return Outcome(InboundStatus.QUARANTINED, "no new text after removing quoted history and signature")
    _relay_answer(inbound, ticket, staff, staff.name, text)
    return Outcome(InboundStatus.FORWARDED)


# -- rules -----------------------------------------------------------------------------------

def _our_addresses() -> set[str]:
    sender = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")[1].lower()
    return {sender} if sender else set()


def _loop(email: InboundEmail) -> str | None:
    """Our own mail coming back (a forward rule, a misconfigured alias): never process it."""
    sender = (email.from_address or "").lower()
    if sender and sender in _our_addresses():
        return "loop: sent from our own address"
    if sender.endswith("@" + current_app.config["INBOUND_EMAIL_DOMAIN"].lower()):
        return "loop: sent from a reply address"
    ours = db.session.execute(
        select(OutboundEmail.id).where(OutboundEmail.message_id == storable_message_id(email.message_id))
    ).first()
    if ours is not None:
        return "loop: carries the Message-ID of our own outbound mail"
    return None


def _new_text(email: InboundEmail) -> str | None:
    """The cleaned reply, or None when nothing of the sender's own remains."""
    cleaned = clean_reply(email.text or "")
    # clean_reply gives back the whole text when cleaning leaves nothing; quoted lines then
    # mean it was all history, which must not be relayed as if it were new.
    lines = cleaned.splitlines()
    if any(line.lstrip().startswith(">") for line in lines):
        return None
    # ...and a signature left alone (the "-- " line survives as "--") is not an answer: it
    # holds the surgeon's direct numbers, never meant for the patient.
    for i, line in enumerate(lines):
        if line.strip() == "--":
            lines = lines[:i]
            break
    text = "\n".join(lines).strip()
    if not _WORD.search(text):
        return None
    return db_text(text, MAX_BODY_CHARS)


def _record_automatic(inbound: InboundMessage, email: InboundEmail, match: Match) -> Outcome:
    ticket = match.ticket or embedded_ticket(inbound.raw)
    if ticket is not None:
        inbound.ticket = ticket
        if match.ticket is None:
            inbound.matched_by = MatchedBy.THREAD.value
        sender = db_text(email.from_address, 254) or "an unknown sender"
        ticket.messages.append(Message(
            kind=MessageKind.SYSTEM.value,
            body=f"Automatic email ({email.automatic}) from {sender} received; not forwarded.",
            message_id=inbound.message_id,
        ))
    return Outcome(InboundStatus.AUTOMATIC, f"automatic: {email.automatic}")


def _relay_answer(inbound: InboundMessage, ticket: Ticket, author: Staff | None, author_name: str, text: str) -> None:
    ticket.messages.append(Message(
        kind=MessageKind.SURGEON.value, author=author, body=text, message_id=inbound.message_id,
    ))
    now = utcnow()
    ticket.status = TicketStatus.ANSWERED.value
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    queue_answer_to_patient(ticket, inbound.id, author_name, text)


def _relay_followup(inbound: InboundMessage, ticket: Ticket, text: str) -> Outcome:
    ticket.messages.append(Message(kind=MessageKind.PATIENT.value, body=text, message_id=inbound.message_id))
    ticket.closed_at = None
    # A follow-up can describe a new emergency: coordinators hear about it at once. The
    # patient gets no automatic answer (no auto-replies to inbound mail, RFC 3834).
    flags = triage_port.red_flags(text)
    if flags:
        ticket.urgent = True
        ticket.reasons = list(dict.fromkeys(ticket.reasons + [f.reason for f in flags]))
        ticket_mail.queue_red_flag_alerts(ticket, [f.reason for f in flags])
    surgeon = ticket.assignee
    if surgeon is None or not surgeon.active:
        ticket.status = TicketStatus.TRIAGED.value
        return Outcome(InboundStatus.STORED, "no active assigned surgeon: waits for a coordinator")
    ticket.status = TicketStatus.ASSIGNED.value
    queue_followup_to_surgeon(ticket, inbound.id, surgeon, text, urgent=bool(flags))
    return Outcome(InboundStatus.FORWARDED)


# -- the coordinators' side (the desk shows these) -------------------------------------------

@dataclass(frozen=True)
class QuarantinePage:
    total: int
    items: list[InboundMessage]


def quarantined_messages(limit: int = 50, offset: int = 0) -> QuarantinePage:
    """Messages waiting for a coordinator, newest first."""
    where = InboundMessage.status == InboundStatus.QUARANTINED.value
    total = db.session.execute(select(func.count()).select_from(InboundMessage).where(where)).scalar_one()
    items = db.session.execute(
        select(InboundMessage).where(where)
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(max(1, min(limit, 200))).offset(max(0, offset))
    ).scalars().all()
    return QuarantinePage(total, list(items))


def inbound_text(inbound: InboundMessage) -> str:
    """The reply as it would be relayed, for a coordinator deciding about it."""
    return clean_reply(parse(inbound.raw, current_app.config["INBOUND_EMAIL_DOMAIN"]).text or "")


def _take_quarantined(inbound_id: int, staff: Staff, status: InboundStatus) -> InboundMessage | None:
    inbound = db.session.get(InboundMessage, inbound_id)
    if inbound is None:
        raise NotFound("No such inbound message.")
    if inbound.status == status.value:
        return None  # already decided this way: idempotent
    if inbound.status != InboundStatus.QUARANTINED.value:
        raise Conflict(f"The message is {inbound.status}, not waiting in quarantine.")
    claimed = db.session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == inbound_id, InboundMessage.status == InboundStatus.QUARANTINED.value)
        .values(status=status.value, decided_by_id=staff.id, decided_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if claimed.rowcount == 0:
        return None  # another coordinator decided first
    db.session.refresh(inbound)
    return inbound


def release_quarantined(inbound_id: int, staff: Staff) -> list[int]:
    """A coordinator relays a quarantined message after all; the caller commits, then dispatches.

    A message from the ticket's patient goes to the surgeon as a follow-up; anything else goes
    to the patient as an answer, signed by the ticket's surgeon (or the releasing coordinator
    when nobody is assigned). Idempotent: a second release does nothing.
    """
    inbound = db.session.get(InboundMessage, inbound_id)
    if inbound is not None and inbound.status == InboundStatus.QUARANTINED.value:
        if inbound.ticket is None:
            raise Conflict("The message matches no ticket; there is nobody to forward it to.")
        email = parse(inbound.raw, current_app.config["INBOUND_EMAIL_DOMAIN"])
        if email.automatic:
            raise Conflict("Automatic mail is never forwarded.")
        if _new_text(email) is None:
            raise Conflict("The message has no new text to forward.")
    taken = _take_quarantined(inbound_id, staff, InboundStatus.FORWARDED)
    if taken is None:
        return []
    ticket = taken.ticket
    email = parse(taken.raw, current_app.config["INBOUND_EMAIL_DOMAIN"])
    text = _new_text(email) or ""
    taken.reason = db_text(f"released by {staff.email} ({taken.reason or 'quarantined'})", 300)
    if email_identity(email.from_address or "") == email_identity(ticket.patient_email):
        outcome = _relay_followup(taken, ticket, text)
        taken.status = outcome.status.value
    else:
        author = ticket.assignee or staff
        _relay_answer(taken, ticket, author, author.name, text)
    return events_in_session()


def dismiss_quarantined(inbound_id: int, staff: Staff) -> None:
    """A coordinator decides a quarantined message is not to be relayed; the caller commits."""
    _take_quarantined(inbound_id, staff, InboundStatus.REJECTED)
