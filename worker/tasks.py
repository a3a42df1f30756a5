"""Thin tasks: take ids, call a service, hold no ORM objects across calls."""
from __future__ import annotations

from celery import shared_task


@shared_task(name="neurodesk.ping")
def ping() -> str:
    return "pong"


# ---- intake, triage and outgoing mail (service/tickets, service/mail) ----------------------
def _send_then_dispatch(event_ids: list[int]) -> int:
    """Send the emails a unit of work queued from this task; hand the rest to the broker."""
    from service.mail import outbound
    from service.tickets import outbox

    return outbox.dispatch(outbound.deliver_here(event_ids))


@shared_task(name="neurodesk.triage_ticket", acks_late=True)
def triage_ticket(ticket_id: int) -> int:
    """Classify and route one new ticket, then send its emails. Idempotent."""
    from service.tickets import services

    return _send_then_dispatch(services.triage_ticket(ticket_id))


@shared_task(name="neurodesk.alert_red_flags", acks_late=True)
def alert_red_flags(ticket_id: int) -> int:
    """Write the coordinators' alerts for an emergency question (urgent queue), then send them. Idempotent."""
    from service.tickets import services

    return _send_then_dispatch(services.alert_red_flags(ticket_id))


@shared_task(name="neurodesk.send_email", bind=True, acks_late=True, max_retries=8)
def send_email(self, email_id: int) -> str:
    """Deliver one queued OutboundEmail at most once; 4xx and dropped connections retry with backoff."""
    from service.mail import outbound

    try:
        return outbound.deliver(email_id)
    except outbound.RETRYABLE as exc:
        if self.request.retries >= self.max_retries:
            outbound.give_up(email_id, str(exc))
            return "failed"
        raise self.retry(exc=exc, countdown=outbound.backoff_seconds(self.request.retries))


@shared_task(name="neurodesk.relay_outbox")
def relay_outbox() -> int:
    """Beat: hand over outbox events the web request could not, and re-dispatch stranded ones."""
    from service.tickets import outbox

    return outbox.relay_pending()


@shared_task(name="neurodesk.retrain_triage")
def retrain_triage() -> int | None:
    from service.triage.learning import retrain_if_stale

    return retrain_if_stale()


# ---- inbound replies (service/mail/inbound) ------------------------------------------------
@shared_task(name="neurodesk.process_inbound", acks_late=True)
def process_inbound(inbound_id: int) -> int:
    """Match, authenticate and relay (or quarantine) one stored inbound message, then send the
    patient's copy from this task, as triage does. Idempotent."""
    from service.mail.inbound import processing

    return _send_then_dispatch(processing.process_inbound(inbound_id))


@shared_task(name="neurodesk.poll_imap")
def poll_imap() -> int:
    """Beat (only when IMAP_HOST is set): store new replies from the reply mailbox."""
    from service.mail.inbound.polling import poll_reply_mailbox

    return poll_reply_mailbox().stored


# ---- desk: response-time targets (service/desk/reminders.py) --------------------------------
@shared_task(name="neurodesk.remind_overdue")
def remind_overdue() -> dict:
    """Beat: remind surgeons of overdue questions, then escalate to coordinators; each once."""
    from service.desk.reminders import remind_overdue as run

    sent = run()
    return {"reminders": sent.reminders, "escalations": sent.escalations}
