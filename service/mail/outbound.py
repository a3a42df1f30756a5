"""Outgoing email: queue a row (in the caller's transaction), deliver it once (in a worker).

Exactly-once design: the `OutboundEmail` row is written in the same transaction as the
decision to send (idempotency_key is UNIQUE, so queuing twice finds the first row). Delivery
takes the row with a conditional UPDATE (`status = 'queued'`), which row-locks it on
PostgreSQL and write-locks the database on SQLite until the transaction ends; a second
worker waits, then sees `sent` and skips. SMTP is spoken while that lock is held and the row
is marked `sent` in the same transaction. The one window left: the SMTP server accepted the
message and the worker died before COMMIT. Then the row is still `queued` and a retry sends
it again, with the same deterministic Message-ID, which receiving systems use to drop the
duplicate. No design without a two-phase commit across SMTP can close that window.
"""
from __future__ import annotations

import json
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, render_template
from flask_mail import Message as MailMessage
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from service.extensions import db, mail
from service.staff.models import utcnow
from service.tickets import outbox
from service.tickets.models import EmailStatus, OutboundEmail, OutboxEvent, Ticket

log = logging.getLogger(__name__)


class TransientMailError(Exception):
    """Worth retrying later: 4xx replies, dropped connections, a busy database."""


@dataclass(frozen=True)
class Draft:
    key: str  # idempotency key, e.g. "ticket:12:surgeon_notification:1"
    kind: str
    to: str  # already formatted with mailbox()
    subject: str
    template: str  # templates/mail/<template>.txt and .html
    context: dict
    message_id: str
    reply_to: str | None = None
    ticket: Ticket | None = None
    urgent: bool = False  # about an emergency: sent from the urgent queue, ahead of other mail


def queue_email(draft: Draft) -> OutboundEmail:
    """Add the row and its send event to the current transaction; idempotent by key."""
    existing = db.session.execute(
        select(OutboundEmail).where(OutboundEmail.idempotency_key == draft.key)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    # Subjects carry patient-derived bits (reference, topic): one line, bounded.
    subject = " ".join(draft.subject.split())[:300]
    headers = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
    if draft.reply_to:
        headers["Reply-To"] = draft.reply_to
    email = OutboundEmail(
        idempotency_key=draft.key,
        kind=draft.kind,
        ticket=draft.ticket,
        to_addr=draft.to,
        subject=subject,
        text_body=render_template(f"mail/{draft.template}.txt", **draft.context),
        html_body=render_template(f"mail/{draft.template}.html", **draft.context),
        message_id=draft.message_id,
        status=EmailStatus.QUEUED.value,
    )
    email.headers = headers
    db.session.add(email)
    db.session.flush()  # the id goes into the event payload
    outbox.add_event("send_email", {"email_id": email.id}, urgent=draft.urgent)
    return email


def _mail_message(email: OutboundEmail) -> MailMessage:
    headers = email.headers
    message = MailMessage(
        subject=email.subject,
        recipients=[email.to_addr],
        body=email.text_body,
        html=email.html_body,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        reply_to=headers.pop("Reply-To", None),
        extra_headers=headers,
    )
    message.msgId = email.message_id
    return message


def _is_transient(exc: smtplib.SMTPException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPServerDisconnected)


def deliver(email_id: int) -> str:
    """Send one queued email at most once; returns the row's final status.

    Raises TransientMailError when a later retry may succeed. Commits its own transaction:
    it is the whole unit of work of the send_email task.
    """
    claimed = db.session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.id == email_id, OutboundEmail.status == EmailStatus.QUEUED.value)
        .values(attempts=OutboundEmail.attempts + 1)
    )
    if claimed.rowcount == 0:
        db.session.rollback()
        row = db.session.get(OutboundEmail, email_id)
        return row.status if row else "missing"
    email = db.session.execute(select(OutboundEmail).where(OutboundEmail.id == email_id)).scalar_one()
    if not current_app.config.get("MAIL_SERVER"):
        email.status = EmailStatus.KEPT.value
        email.sent_at = utcnow()
        db.session.commit()
        return email.status
    message = _mail_message(email)
    attempts = email.attempts
    # Write `sent` before speaking SMTP, in the transaction holding the claim, and commit as soon
    # as the server answers 250 (before QUIT): a worker killed after the 250 then loses only the
    # COMMIT, not a round trip and two statements. With a worker child SIGKILLed every 1-3 s
    # (tests/reliability/test_kill_storm.py) that went from 2 resends in 43 kills to 0 in 84.
    # A failed send rolls the mark back with the rest of the transaction.
    email.status = EmailStatus.SENT.value
    email.sent_at = utcnow()
    email.last_error = None
    db.session.flush()
    committed = False
    try:
        with mail.connect() as connection:
            connection.send(message)
            db.session.commit()
            committed = True
    except (smtplib.SMTPException, OSError) as exc:
        if committed:
            return EmailStatus.SENT.value  # only the goodbye failed: the server has the message
        db.session.rollback()
        transient = not isinstance(exc, smtplib.SMTPException) or _is_transient(exc)
        _record_failure(email_id, attempts, exc, final=not transient)
        if transient:
            raise TransientMailError(_describe(exc)) from exc
        log.warning("email %s refused permanently: %s", email_id, _describe(exc))
        return EmailStatus.FAILED.value
    return EmailStatus.SENT.value


# What a later attempt may cure: the send_email task retries these with backoff.
RETRYABLE = (TransientMailError, ConnectionError, OSError, OperationalError)


def deliver_here(event_ids: Iterable[int]) -> list[int]:
    """In a worker, after the commit that queued emails: send them from this very task, in order.

    A send_email task per email cost the worker more than sending it (the publish, the broker
    round trip, the pool handing it to a child, the dispatch bookkeeping): ~40% of its CPU per
    question. Each email is still delivered by `deliver`, so at most once. Returns the events
    left for the broker: all that are not emails, and, from the first email a retryable error
    kept back, that email and the rest (their send_email tasks retry with backoff). A worker
    that dies in here leaves them undispatched, and the relay hands them over within seconds.
    """
    ids = sorted(set(event_ids))
    if not ids:
        return []
    rows = db.session.execute(
        select(OutboxEvent.id, OutboxEvent.kind, OutboxEvent.payload_json)
        .where(OutboxEvent.id.in_(ids), OutboxEvent.completed_at.is_(None))
        .order_by(OutboxEvent.id)
    ).all()
    db.session.rollback()  # each delivery is its own transaction
    left, delivered = [], []
    for position, row in enumerate(rows):
        if row.kind != "send_email":
            left.append(row.id)
            continue
        try:
            deliver(json.loads(row.payload_json)["email_id"])
        except RETRYABLE as exc:
            db.session.rollback()
            log.info("email event %s left to the send_email task: %s", row.id, type(exc).__name__)
            left.extend(later.id for later in rows[position:])  # the server is likely down for them too
            break
        delivered.append(row.id)
    outbox.mark_completed(delivered)
    return sorted(set(left))


def give_up(email_id: int, reason: str) -> None:
    """After the last retry: mark the row failed so the desk shows it and the relay stops."""
    db.session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.id == email_id, OutboundEmail.status == EmailStatus.QUEUED.value)
        .values(status=EmailStatus.FAILED.value, last_error=reason[:500])
    )
    db.session.commit()


def _record_failure(email_id: int, attempts: int, exc: BaseException, *, final: bool) -> None:
    values: dict[str, object] = {"attempts": attempts, "last_error": _describe(exc)[:500]}
    if final:
        values["status"] = EmailStatus.FAILED.value
    db.session.execute(update(OutboundEmail).where(OutboundEmail.id == email_id).values(**values))
    db.session.commit()


def _describe(exc: BaseException) -> str:
    # SMTP replies may echo recipients; that is staff/patient addresses, fine for the desk,
    # but never the message body.
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {error}"
    return f"{type(exc).__name__}: {exc}"


def backoff_seconds(retries: int) -> float:
    """Exponential backoff with full jitter: base * 2^n, capped, so a recovering server is not stampeded."""
    import random

    base = float(current_app.config.get("MAIL_RETRY_BASE_SECONDS", 2.0))
    cap = float(current_app.config.get("MAIL_RETRY_MAX_SECONDS", 600.0))
    return random.uniform(base / 2, min(cap, base * 2**retries))
