"""The triage task body and its emails, run eagerly in-process (the worker tests run it for real)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.extensions import db
from service.mail.addresses import parse_reply_address
from service.tickets import outbox, services
from service.staff.models import utcnow
from service.tickets.models import OutboundEmail, OutboxEvent, Ticket
from tests.tickets.conftest import celery_config


@pytest.fixture
def app_config():
    return {"CELERY": celery_config(task_always_eager=True), "OUTBOX_RELAY_AFTER_SECONDS": 0,
            "OUTBOX_REDISPATCH_AFTER_SECONDS": 0}


def submit(question="My lower back hurts and the sciatica goes down my leg.", **kw):
    submission = services.submit_question(name="Ann", email="ann@example.test", question=question, topic=None, **kw)
    db.session.commit()
    return submission


def emails():
    return db.session.execute(select(OutboundEmail).order_by(OutboundEmail.id)).scalars().all()


def test_spine_question_is_assigned_and_both_emails_are_kept_in_the_dev_mailbox(make_staff):
    surgeon = make_staff("spine@clinic.test", name="Dr Spine")
    submission = submit()
    outbox.dispatch(submission.event_ids)
    db.session.expire_all()
    ticket = db.session.get(Ticket, submission.ticket_id)
    assert (ticket.status, ticket.tag, ticket.assignee_id, ticket.needs_review) == ("assigned", "spine", surgeon.id, False)
    assert ticket.triaged_at and ticket.assigned_at
    notification, ack = emails()
    assert notification.kind == "surgeon_notification" and ack.kind == "patient_acknowledgement"
    assert {notification.status, ack.status} == {"kept"}
    assert f"[{ticket.reference}]" in notification.subject and "spine" in notification.subject
    token = parse_reply_address(notification.headers["Reply-To"])
    assert (token.ticket_id, token.staff_id) == (ticket.id, surgeon.id)
    assert notification.headers["Auto-Submitted"] == "auto-generated"
    assert notification.message_id == f"<{ticket.reference.lower()}.notify-{surgeon.id}@reply.localhost>"
    assert "sciatica" in notification.text_body and f"/desk/tickets/{ticket.reference}" in notification.text_body
    assert ticket.reference in ack.text_body and ticket.reference in ack.subject


def test_triaging_twice_routes_once_and_mails_once(make_staff):
    make_staff()
    submission = submit()
    first = services.triage_ticket(submission.ticket_id)
    again = services.triage_ticket(submission.ticket_id)
    assert len(first) == 2 and again == []
    assert len(emails()) == 2


def test_unclear_question_goes_to_review_and_only_the_patient_is_mailed(make_staff):
    make_staff()
    submission = submit("Hello, what are your opening hours at the clinic please?")
    services.triage_ticket(submission.ticket_id)
    ticket = db.session.get(Ticket, submission.ticket_id)
    assert ticket.status == "triaged" and ticket.needs_review and ticket.assignee_id is None
    assert [e.kind for e in emails()] == ["patient_acknowledgement"]


def test_patient_text_is_escaped_in_html_mail(make_staff):
    make_staff()
    submission = submit("My back hurts <script>alert(1)</script> after the spinal fusion.")
    services.triage_ticket(submission.ticket_id)
    notification = emails()[0]
    assert "<script>" not in notification.html_body and "&lt;script&gt;" in notification.html_body
    assert "<script>alert(1)</script>" in notification.text_body  # plain text stays as typed


def test_relay_hands_over_undispatched_events_and_finishes_done_ones(make_staff):
    make_staff()
    submission = submit()  # never dispatched: as if the broker had been down
    assert outbox.relay_pending() >= 1
    db.session.expire_all()
    assert db.session.get(Ticket, submission.ticket_id).status == "assigned"
    outbox.relay_pending()  # the next beat tick: everything done, nothing re-sent
    assert len(emails()) == 2
    assert all(e.completed_at or e.kind == "send_email" for e in db.session.execute(select(OutboxEvent)).scalars())


def test_acknowledgement_links_up_to_three_related_pages(make_staff):
    from service.seed import seed

    list(seed())
    db.session.commit()
    submission = submit("Would a discectomy help the sciatica in my leg from a lumbar disc herniation?")
    services.triage_ticket(submission.ticket_id)
    ack = next(e for e in emails() if e.kind == "patient_acknowledgement")
    assert "these pages may help" in ack.text_body
    links = [line for line in ack.text_body.splitlines() if line.startswith("  - ")]
    assert 1 <= len(links) <= 3 and all("http://127.0.0.1:5000/" in line for line in links)


RED_FLAG = "Since this morning my groin is numb and I cannot pee, and my back pain is terrible."


def test_red_flag_alerts_reach_every_active_coordinator_once_as_urgent_mail(make_staff):
    make_staff("coord1@clinic.test", name="Cora", role="coordinator", specialties=())
    make_staff("coord2@clinic.test", name="Cole", role="coordinator", specialties=())
    make_staff("gone@clinic.test", name="Gone", role="coordinator", specialties=()).active = False
    db.session.commit()
    submission = submit(RED_FLAG)
    reference = db.session.get(Ticket, submission.ticket_id).reference
    first = services.alert_red_flags(submission.ticket_id)
    again = services.alert_red_flags(submission.ticket_id)  # a redelivered task
    assert len(first) == 2 and again == []
    alerts = emails()
    assert [a.to_addr for a in alerts] == ["Cora <coord1@clinic.test>", "Cole <coord2@clinic.test>"]
    assert all(a.kind == "red_flag_alert" and f"URGENT [{reference}]" in a.subject for a in alerts)
    assert "bladder" in alerts[0].subject.lower() or "cauda" in alerts[0].subject.lower()
    sends = db.session.execute(select(OutboxEvent).where(OutboxEvent.id.in_(first))).scalars().all()
    assert {(e.kind, e.urgent) for e in sends} == {("send_email", True)}


def test_an_emergency_s_surgeon_notification_is_urgent_mail_and_the_acknowledgement_is_not(make_staff):
    make_staff("spine@clinic.test", name="Dr Spine")
    submission = submit(RED_FLAG)
    services.triage_ticket(submission.ticket_id)
    events = db.session.execute(select(OutboxEvent).where(OutboxEvent.kind == "send_email")).scalars().all()
    by_email = {db.session.get(OutboundEmail, e.payload["email_id"]).kind: e.urgent for e in events}
    assert by_email == {"surgeon_notification": True, "patient_acknowledgement": False}


def test_relay_re_dispatches_an_alert_event_until_an_alert_is_queued(make_staff):
    make_staff("coord1@clinic.test", name="Cora", role="coordinator", specialties=())
    submission = submit(RED_FLAG)
    alert_event = db.session.get(OutboxEvent, submission.event_ids[0])
    assert alert_event.kind == "alert_red_flags"
    # Dispatched once and lost (no broker took it): the relay hands it over again, here eagerly.
    alert_event.dispatched_at, alert_event.attempts = utcnow(), 1
    db.session.commit()
    outbox.relay_pending()  # (the never-dispatched triage event goes too)
    assert alerts() == ["Cora <coord1@clinic.test>"]
    outbox.relay_pending()  # now the work is done: nothing is sent twice
    db.session.expire_all()
    assert alerts() == ["Cora <coord1@clinic.test>"]
    assert db.session.get(OutboxEvent, alert_event.id).completed_at is not None


def alerts() -> list[str]:
    return [email.to_addr for email in emails() if email.kind == "red_flag_alert"]
