"""What staff do to a ticket on the desk: assign, re-tag, urgency, notes, web replies, close.

Rules that hold for every action here:
* Visibility first: a ticket the person may not see is `NotFound` (the same answer as an
  unknown reference), so a surgeon cannot probe other surgeons' tickets. Then the role:
  `Forbidden` when they may see it but not do this (`may()` is the single table).
* Idempotent under double submit: state changes are conditional UPDATEs ("set closed where
  not closed already"), so a repeated or concurrent second request changes nothing, sends
  nothing and records nothing; notes and replies carry a form nonce stored as the message's
  unique message_id. Each returns True when it changed something.
* Each change writes its audit event in the caller's transaction (never patient text).
"""
from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import func, or_, select, update

from service.audit.services import record
from service.desk.access import can_see_ticket
from service.errors import Forbidden, NotFound, ValidationFailed
from service.extensions import db
from service.mail import ticket_mail
from service.mail.addresses import mailbox, message_id, reply_address_for
from service.mail.outbound import Draft, queue_email
from service.staff.models import Role, Staff, utcnow
from service.tickets import routing
from service.tickets.models import (
    OPEN_STATUSES,
    Message,
    MessageKind,
    OutboundEmail,
    Ticket,
    TicketStatus,
)

REFERENCE = re.compile(r"^Q-[0-9A-Z]{4}-[0-9A-Z]{4}$")
NONCE = re.compile(r"^[0-9a-f]{16,64}$")
MAX_TEXT = 20_000
CLOSED_STATUSES = (TicketStatus.CLOSED.value, TicketStatus.SPAM.value)

COORDINATION = "coordination"   # coordinators and admins
ASSIGNED_SURGEON = "assigned surgeon"
EITHER = "coordination or assigned surgeon"
ANYONE_WHO_SEES = "anyone who sees the ticket"
# Who may do what (visibility is checked before this table is consulted).
WHO_MAY = {
    "assign": COORDINATION,
    "retag": COORDINATION,
    "urgency": COORDINATION,
    "reopen": COORDINATION,
    "spam": COORDINATION,
    "release": COORDINATION,
    "note": ANYONE_WHO_SEES,
    "close": EITHER,
    "reply": ASSIGNED_SURGEON,
}


def may(staff: Staff, ticket: Ticket, action: str) -> bool:
    """May `staff` (who can see `ticket`) do `action` on it? Used by views and templates alike."""
    rule = WHO_MAY[action]
    coordinating = staff.sees_all_tickets
    assigned = staff.role == Role.SURGEON.value and ticket.assignee_id == staff.id
    if rule == COORDINATION:
        return coordinating
    if rule == ASSIGNED_SURGEON:
        return assigned
    if rule == EITHER:
        return coordinating or assigned
    return coordinating or ticket.assignee_id == staff.id


def _require(staff: Staff, ticket: Ticket, action: str) -> None:
    if not may(staff, ticket, action):
        raise Forbidden(f"Your role may not do this on a question ({WHO_MAY[action]} only).")


def visible_ticket(staff: Staff, reference: str) -> Ticket:
    """The ticket `staff` may see, or NotFound: unknown and not-yours look the same."""
    reference = (reference or "").strip().upper()
    if not REFERENCE.match(reference):
        raise NotFound("No such question.")
    ticket = db.session.execute(select(Ticket).where(Ticket.reference == reference)).scalar_one_or_none()
    if ticket is None or not can_see_ticket(staff, ticket):
        raise NotFound("No such question.")
    return ticket


def _transition(ticket: Ticket, *conditions, **values) -> bool:
    """UPDATE the ticket only while `conditions` hold; True if this call made the change.

    The conditional UPDATE is the lock: on PostgreSQL a concurrent second request waits for
    the first to commit, re-checks the WHERE and finds nothing; SQLite serialises writers.
    """
    result = db.session.execute(
        update(Ticket).where(Ticket.id == ticket.id, *conditions).values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(ticket)
    return result.rowcount == 1


def _audit(action: str, actor: Staff, ticket: Ticket, **detail) -> None:
    record(f"ticket.{action}", actor=actor, target_type="ticket", target_id=ticket.id,
           reference=ticket.reference, **detail)


# ---- assignment -------------------------------------------------------------------------
def active_surgeons() -> list[Staff]:
    return list(db.session.execute(
        select(Staff).where(Staff.role == Role.SURGEON.value, Staff.active.is_(True)).order_by(Staff.name)
    ).scalars())


def assign(ticket: Ticket, surgeon_id: int | None, *, actor: Staff) -> bool:
    """Give the ticket to an active surgeon and email them; a no-op if they have it already."""
    _require(actor, ticket, "assign")
    surgeon = db.session.get(Staff, surgeon_id) if surgeon_id else None
    if surgeon is None or surgeon.role != Role.SURGEON.value or not surgeon.active:
        raise ValidationFailed("Choose an active surgeon.", fields={"surgeon": ["Choose an active surgeon."]})
    if ticket.status in CLOSED_STATUSES:
        raise ValidationFailed("Reopen the question before assigning it.")
    return _assign(ticket, surgeon, actor=actor)


def _assign(ticket: Ticket, surgeon: Staff, *, actor: Staff) -> bool:
    previous = ticket.assignee_id
    new_status = (TicketStatus.ASSIGNED.value if ticket.status in OPEN_STATUSES else ticket.status)
    changed = _transition(
        ticket,
        or_(Ticket.assignee_id.is_(None), Ticket.assignee_id != surgeon.id),
        assignee_id=surgeon.id, assigned_at=utcnow(), status=new_status, needs_review=False,
    )
    if not changed:
        return False
    queue_assignment_notification(ticket, surgeon)
    _audit("assign", actor, ticket, previous_assignee_id=previous, assignee_id=surgeon.id,
           assignee=surgeon.email)
    return True


def queue_assignment_notification(ticket: Ticket, surgeon: Staff) -> OutboundEmail:
    """The surgeon notification again, for a new assignment: a fresh idempotency key per
    assignment (`ticket:<id>:surgeon_notification:a<n>`), so A -> B -> A mails A twice, while a
    double-submitted reassign (already a no-op above) could never mail anyone twice."""
    n = db.session.execute(
        select(func.count(OutboundEmail.id)).where(
            OutboundEmail.ticket_id == ticket.id, OutboundEmail.kind == "surgeon_notification")
    ).scalar_one() + 1
    topic = ticket_mail.TOPIC_NAMES.get(ticket.tag or "", ticket.tag or "General")
    return queue_email(Draft(
        key=f"ticket:{ticket.id}:surgeon_notification:a{n}",
        kind="surgeon_notification",
        to=mailbox(surgeon.name, surgeon.email),
        subject=f"{'URGENT ' if ticket.urgent else ''}[{ticket.reference}] Question assigned to you: {topic.lower()}",
        template="surgeon_notification",
        context={"ticket": ticket, "surgeon": surgeon, "topic": topic, "question": ticket.question,
                 "desk_url": ticket_mail.desk_url(ticket)},
        message_id=message_id(ticket.reference, f"notify-{surgeon.id}-a{n}"),
        reply_to=reply_address_for(ticket.id, surgeon.id),
        ticket=ticket,
    ))


# ---- topic and urgency ------------------------------------------------------------------
def retag(ticket: Ticket, tag: str, *, actor: Staff, reroute: bool = False) -> bool:
    """Correct the topic; the correction becomes a triage training example. With `reroute`,
    the least-busy surgeon for the new topic gets it (and an email)."""
    from service.triage.engine import TOPICS
    from service.triage.learning import record_correction

    _require(actor, ticket, "retag")
    if tag not in TOPICS:
        raise ValidationFailed("Choose a topic.", fields={"tag": [f"Choose one of {', '.join(TOPICS)}."]})
    previous = ticket.tag
    # A coordinator choosing the topic is the review the low-confidence queue asked for.
    changed = _transition(ticket, or_(Ticket.tag.is_(None), Ticket.tag != tag), tag=tag, needs_review=False)
    if changed:
        record_correction(text=ticket.question, tag=tag, previous_tag=previous, staff=actor, ticket_id=ticket.id)
        _audit("retag", actor, ticket, previous_tag=previous, tag=tag)
    if reroute and ticket.status not in CLOSED_STATUSES and tag in routing.SURGICAL_TOPICS:
        surgeon = routing.choose_surgeon(tag)
        if surgeon is not None and surgeon.id != ticket.assignee_id:
            changed = _assign(ticket, surgeon, actor=actor) or changed
    return changed


def set_urgent(ticket: Ticket, urgent: bool, *, actor: Staff) -> bool:
    _require(actor, ticket, "urgency")
    changed = _transition(ticket, Ticket.urgent.is_(not urgent), urgent=urgent)
    if changed:
        _audit("urgent" if urgent else "not_urgent", actor, ticket)
    return changed


# ---- status -----------------------------------------------------------------------------
def close(ticket: Ticket, *, actor: Staff) -> bool:
    _require(actor, ticket, "close")
    changed = _transition(ticket, Ticket.status.not_in(CLOSED_STATUSES),
                          status=TicketStatus.CLOSED.value, closed_at=utcnow())
    if changed:
        _audit("close", actor, ticket)
    return changed


def mark_spam(ticket: Ticket, *, actor: Staff) -> bool:
    _require(actor, ticket, "spam")
    changed = _transition(ticket, Ticket.status != TicketStatus.SPAM.value,
                          status=TicketStatus.SPAM.value, closed_at=utcnow())
    if changed:
        _audit("spam", actor, ticket)
    return changed


def reopen(ticket: Ticket, *, actor: Staff) -> bool:
    _require(actor, ticket, "reopen")
    status = TicketStatus.ASSIGNED.value if ticket.assignee_id else TicketStatus.TRIAGED.value
    changed = _transition(ticket, Ticket.status.in_(CLOSED_STATUSES), status=status, closed_at=None)
    if changed:
        _audit("reopen", actor, ticket, status=status)
    return changed


# ---- notes and replies ------------------------------------------------------------------
def _clean_text(body: str | None, field: str) -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed("Write something first.", fields={field: ["Write something first."]})
    if len(text) > MAX_TEXT:
        raise ValidationFailed("Too long.", fields={field: [f"Keep it under {MAX_TEXT} characters."]})
    return text


def _nonce(value: str | None) -> str:
    if not value or not NONCE.match(value):
        # The form always carries one; without it a double submit could not be recognised.
        raise ValidationFailed("The form was incomplete; please try again.")
    return value


def insert_once(model: type, **values) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new row's id, or None if a row with
    the same unique key exists (a double submit, a concurrent twin, an overlapping beat run).

    One statement instead of check-then-insert in a SAVEPOINT: SQLite's Python driver runs a
    SAVEPOINT outside its transaction handling, so its RELEASE would commit early.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = model.__table__
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    return db.session.execute(statement).scalar_one_or_none()


def _add_message(ticket: Ticket, *, kind: str, author: Staff, body: str, message_key: str) -> Message | None:
    """Store a message unless one with its message_id exists already (a double submit)."""
    new_id = insert_once(Message, ticket_id=ticket.id, kind=kind, author_id=author.id, body=body,
                         message_id=message_id(ticket.reference, message_key), created_at=utcnow())
    if new_id is None:
        return None
    db.session.expire(ticket, ["messages"])
    return db.session.get(Message, new_id)


def add_note(ticket: Ticket, body: str | None, *, actor: Staff, nonce: str | None) -> bool:
    """An internal note: staff only, never mailed to the patient."""
    _require(actor, ticket, "note")
    text = _clean_text(body, "body")
    note = _add_message(ticket, kind=MessageKind.NOTE.value, author=actor, body=text,
                        message_key=f"note-{_nonce(nonce)}")
    if note is None:
        return False
    _audit("note", actor, ticket, message_id=note.id)
    return True


def reply_as_surgeon(ticket: Ticket, body: str | None, *, actor: Staff, nonce: str | None) -> bool:
    """The assigned surgeon answers from the desk: stored, mailed to the patient, ticket answered."""
    _require(actor, ticket, "reply")
    if ticket.status in CLOSED_STATUSES:
        raise ValidationFailed("This question is closed; ask a coordinator to reopen it.")
    text = _clean_text(body, "body")
    answer = _add_message(ticket, kind=MessageKind.SURGEON.value, author=actor, body=text,
                          message_key=f"web-answer-{_nonce(nonce)}")
    if answer is None:
        return False
    now = utcnow()
    _transition(ticket, Ticket.status.not_in(CLOSED_STATUSES), status=TicketStatus.ANSWERED.value,
                first_response_at=ticket.first_response_at or now)
    queue_web_answer(ticket, answer, actor)
    _audit("reply", actor, ticket, message_id=answer.id, via="desk")
    return True


def queue_web_answer(ticket: Ticket, answer: Message, surgeon: Staff) -> OutboundEmail:
    """The patient's email for an answer written on the desk: the same template ("answer") and
    headers as an emailed answer relayed by service/mail/inbound/forwarding.py, keyed on the
    stored message instead of an inbound email. Its Message-ID is the stored message's."""
    email = queue_email(Draft(
        key=f"ticket:{ticket.id}:web_answer:{answer.id}",
        kind="surgeon_answer",
        to=mailbox(ticket.patient_name, ticket.patient_email),
        subject=f"Re: [{ticket.reference}] Answer to your question",
        template="answer",
        context={"ticket": ticket, "author_name": surgeon.name, "answer": answer.body,
                 "base_url": current_app.config["PUBLIC_BASE_URL"]},
        message_id=answer.message_id or message_id(ticket.reference, f"web-answer-{answer.id}"),
        # The patient's own signed address: a reply from them threads back into this ticket.
        reply_to=reply_address_for(ticket.id, None),
        ticket=ticket,
    ))
    # Human words passed on, not generated mail: no Auto-Submitted (RFC 3834 section 5), and
    # threaded under the acknowledgement the patient already has, if we sent one.
    headers = email.headers
    headers.pop("Auto-Submitted", None)
    ack = message_id(ticket.reference, "ack")
    if db.session.execute(select(OutboundEmail.id).where(OutboundEmail.message_id == ack)).first():
        headers["In-Reply-To"] = ack
        headers["References"] = ack
    email.headers = headers
    return email


def topics() -> tuple[str, ...]:
    from service.triage.engine import TOPICS

    return tuple(TOPICS)
