"""Which ticket an inbound message belongs to, and how sure we are.

Order of trust: the signed reply token (unforgeable without SECRET_KEY), then the thread
(In-Reply-To/References naming a Message-ID we sent or stored), then the `[Q-XXXX-XXXX]`
subject tag. Only the token can ever authorise a relay; the thread and the subject merely
tell a coordinator which ticket a quarantined message is about.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from service.extensions import db
from service.mail.addresses import ReplyToken, parse_reply_address
from service.mail.inbound.models import InboundMessage, MatchedBy
from service.mail.inbound.parse import InboundEmail
from service.mail.inbound.store import db_text
from service.tickets.models import Message, OutboundEmail, Ticket

SUBJECT_TAG = re.compile(r"\[(Q-[0-9A-Z]{4}-[0-9A-Z]{4})\]", re.IGNORECASE)
MAX_THREAD_IDS = 50  # a References header can be long; the newest ids matter


@dataclass(frozen=True)
class Match:
    ticket: Ticket | None
    matched_by: MatchedBy
    token: ReplyToken | None = None  # set only when a verified token names `ticket`
    problem: str | None = None  # why this match cannot authorise a relay


def reply_addresses(email: InboundEmail) -> list[str]:
    """Recipients that look like our reply addresses (To, Cc and the envelope headers)."""
    domain = current_app.config["INBOUND_EMAIL_DOMAIN"].lower().rstrip(".")
    found = []
    for address in email.recipients:
        local, _, host = address.rpartition("@")
        if host.lower().rstrip(".") == domain and local.lower().startswith("reply+"):
            found.append(address)
    return found


def ticket_for_message_ids(ids: list[str]) -> Ticket | None:
    """The ticket of the first id (in the order given) that we sent, received or recorded."""
    # An id with NUL or broken characters was never ours (and PostgreSQL refuses to compare it).
    ids = [i for i in dict.fromkeys(ids) if i and len(i) <= 255 and db_text(i, 255) == i][:MAX_THREAD_IDS]
    if not ids:
        return None
    found: dict[str, int] = {}
    for column, ticket_column in (
        (OutboundEmail.message_id, OutboundEmail.ticket_id),
        (InboundMessage.message_id, InboundMessage.ticket_id),
        (Message.message_id, Message.ticket_id),
    ):
        rows = db.session.execute(select(column, ticket_column).where(column.in_(ids))).all()
        for message_id, ticket_id in rows:
            if ticket_id is not None:
                found.setdefault(message_id, ticket_id)
    for message_id in ids:
        if message_id in found:
            return db.session.get(Ticket, found[message_id])
    return None


def thread_ids(email: InboundEmail) -> list[str]:
    # In-Reply-To names the message answered; References lists the thread oldest first.
    return ([email.in_reply_to] if email.in_reply_to else []) + list(reversed(email.references))


def subject_ticket(subject: str) -> Ticket | None:
    match = SUBJECT_TAG.search(subject or "")
    if not match:
        return None
    return db.session.execute(
        select(Ticket).where(Ticket.reference == match.group(1).upper())
    ).scalar_one_or_none()


def match_ticket(email: InboundEmail) -> Match:
    addresses = reply_addresses(email)
    tokens = list(dict.fromkeys(t for t in (parse_reply_address(a) for a in addresses) if t is not None))
    thread = ticket_for_message_ids(thread_ids(email))
    if tokens:
        token = tokens[0]
        ticket = db.session.get(Ticket, token.ticket_id)
        if ticket is None:
            return Match(thread, MatchedBy.THREAD if thread else MatchedBy.NONE,
                         problem="reply token names a ticket that does not exist")
        if len({t.ticket_id for t in tokens}) > 1:
            return Match(ticket, MatchedBy.TOKEN, problem="reply tokens name more than one ticket")
        if thread is not None and thread.id != ticket.id:
            return Match(ticket, MatchedBy.TOKEN, problem="reply token names another ticket than the thread")
        return Match(ticket, MatchedBy.TOKEN, token=token)
    problem = "reply token failed verification" if addresses else "no reply token"
    if thread is not None:
        return Match(thread, MatchedBy.THREAD, problem=problem)
    by_subject = subject_ticket(email.subject)
    if by_subject is not None:
        return Match(by_subject, MatchedBy.SUBJECT, problem="matched by subject only")
    return Match(None, MatchedBy.NONE, problem=f"{problem}; no ticket matched")


def embedded_ticket(raw: bytes) -> Ticket | None:
    """For bounces: the ticket of one of our Message-IDs quoted inside the returned message."""
    domain = re.escape(current_app.config["INBOUND_EMAIL_DOMAIN"].encode())
    pattern = re.compile(rb"<([^<>\s@]{1,200}@" + domain + rb")>", re.IGNORECASE)
    ids = []
    for found in pattern.finditer(raw[: 2 * 1024 * 1024]):
        ids.append("<" + found.group(1).decode("ascii", "replace") + ">")
        if len(ids) >= MAX_THREAD_IDS:
            break
    return ticket_for_message_ids(ids)
