"""Retention purge, patient export and patient deletion, through the real CLI commands."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from service.audit.models import AuditEvent
from service.extensions import db
from service.mail.inbound.models import InboundAttachment, InboundMessage
from service.privacy.erasure import ERASED, pseudonym
from service.staff.models import utcnow
from service.tickets import services
from service.tickets.models import Message, MessageKind, OutboundEmail, Ticket
from service.triage.models import TriageCorrection

SECRET_WORDS = "marker-c41d my wife found me confused at 3am"


@pytest.fixture
def app_config():
    from tests.tickets.conftest import celery_config

    return {"CELERY": celery_config()}


def ask(email="ann@example.test", name="Ann Patient", question=f"My back hurts badly. {SECRET_WORDS}") -> Ticket:
    submission = services.submit_question(name=name, email=email, question=question, topic=None)
    db.session.commit()
    services.triage_ticket(submission.ticket_id)
    return db.session.get(Ticket, submission.ticket_id)


def with_reply_and_attachment(ticket: Ticket) -> InboundMessage:
    raw = (f"From: {ticket.patient_email}\r\nSubject: Re: [{ticket.reference}] my MRI\r\n"
           f"Message-ID: <r{ticket.id}@example.test>\r\n\r\n{SECRET_WORDS}\r\n").encode()
    inbound = InboundMessage(message_id=f"<r{ticket.id}@example.test>", raw=raw, size=len(raw), source="webhook",
                             status="stored", ticket_id=ticket.id, from_address=ticket.patient_email,
                             subject=f"Re: [{ticket.reference}] my MRI")
    inbound.attachments.append(InboundAttachment(filename="mri-ann.pdf", content_type="application/pdf", size=3,
                                                 payload=b"%PD", accepted=True))
    ticket.messages.append(Message(kind=MessageKind.PATIENT.value, body=f"follow-up {SECRET_WORDS}",
                                   message_id=inbound.message_id))
    db.session.add(inbound)
    db.session.add(TriageCorrection(ticket_id=ticket.id, text=ticket.question, tag="brain", previous_tag="spine"))
    db.session.commit()
    return inbound


def close(ticket: Ticket, days_ago: float, status: str = "closed") -> None:
    ticket.status = status
    ticket.closed_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()


def everything_text() -> str:
    """Every text column that can hold patient data, concatenated, to search for leftovers."""
    parts: list[str] = []
    for ticket in db.session.execute(select(Ticket)).scalars():
        parts += [ticket.patient_name, ticket.patient_email]
    parts += db.session.execute(select(Message.body)).scalars().all()
    for email in db.session.execute(select(OutboundEmail)).scalars():
        parts += [email.to_addr, email.subject, email.text_body, email.html_body or ""]
    for inbound in db.session.execute(select(InboundMessage)).scalars():
        parts += [inbound.raw.decode(errors="replace"), inbound.subject or "", inbound.from_address or ""]
    parts += [a.filename or "" for a in db.session.execute(select(InboundAttachment)).scalars()]
    parts += [a.payload.decode() if a.payload else "" for a in db.session.execute(select(InboundAttachment)).scalars()]
    parts += db.session.execute(select(TriageCorrection.text)).scalars().all()
    parts += db.session.execute(select(AuditEvent.detail)).scalars().all()
    return "\n".join(parts)


def test_purge_erases_old_closed_and_spam_tickets_and_keeps_statistics(runner, make_staff):
    make_staff("spine@clinic.test", name="Dr Spine")
    old = ask()
    with_reply_and_attachment(old)
    spam = ask(email="bot@example.test", name="Bot", question="Buy cheap pills now! " + SECRET_WORDS)
    recent = ask(email="ben@example.test", name="Ben", question="Neck pain after surgery. marker-keepme")
    still_open = ask(email="cat@example.test", name="Cat", question="Headaches every morning. marker-open")
    close(old, 400)
    close(spam, 400, status="spam")
    close(recent, 10)
    created, tag, reference = old.created_at, old.tag, old.reference

    dry = runner.invoke(args=["retention", "purge", "--older-than", "365", "--dry-run"])
    assert dry.exit_code == 0 and "2 question(s)" in dry.output
    assert SECRET_WORDS in everything_text()  # a dry run changes nothing

    result = runner.invoke(args=["retention", "purge", "--older-than", "365"])
    assert result.exit_code == 0, result.output
    assert "tickets: 2" in result.output and "attachments: 1" in result.output
    db.session.expire_all()
    text = everything_text()
    assert "marker-c41d" not in text and "ann@example.test" not in text and "Ann Patient" not in text
    assert "mri-ann.pdf" not in text and "%PD" not in text
    assert "marker-keepme" in text and "marker-open" in text  # newer and open questions untouched
    old = db.session.get(Ticket, old.id)
    assert (old.reference, old.tag, old.created_at, old.status) == (reference, tag, created, "closed")
    assert old.patient_email == pseudonym("ann@example.test") and old.patient_email.endswith("@deleted.invalid")
    assert all(m.body == ERASED for m in old.messages)
    assert db.session.get(Ticket, still_open.id).status != "closed"

    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "retention.purge")).scalar_one()
    assert event.details["tickets"] == 2 and event.actor_label == "system"


def test_purge_twice_changes_nothing_the_second_time(runner, make_staff):
    make_staff("spine@clinic.test", name="Dr Spine")
    close(ask(), 100)
    first = runner.invoke(args=["retention", "purge", "--older-than", "30"])
    again = runner.invoke(args=["retention", "purge", "--older-than", "30"])
    assert "tickets: 1" in first.output and "tickets: 0" in again.output
    assert db.session.execute(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "retention.purge")).scalar_one() == 2


def test_purge_refuses_a_negative_age(runner):
    result = runner.invoke(args=["retention", "purge", "--older-than", "-1"])
    assert result.exit_code != 0


def test_export_lists_everything_held_about_the_patient(runner, make_staff, tmp_path):
    make_staff("spine@clinic.test", name="Dr Spine")
    first = ask()
    with_reply_and_attachment(first)
    ask(question="A second question about my neck, marker-second.")
    ask(email="other@example.test", name="Other", question="Someone else's question marker-other.")

    result = runner.invoke(args=["patient", "export", "--email", "ANN@example.test"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["format"] == "neurodesk.patient-export.v1"
    assert len(document["tickets"]) == 2
    dumped = json.dumps(document)
    assert "marker-c41d" in dumped and "marker-second" in dumped and "marker-other" not in dumped
    ticket = document["tickets"][0]
    assert {m["kind"] for m in ticket["messages"]} >= {"patient", "system"}
    assert {e["kind"] for e in ticket["emails_sent"]} >= {"patient_acknowledgement"}
    assert ticket["emails_received"][0]["attachments"][0]["filename"] == "mri-ann.pdf"

    out = tmp_path / "ann.json"
    written = runner.invoke(args=["patient", "export", "--email", "ann@example.test", "--out", str(out)])
    assert written.exit_code == 0
    assert json.loads(out.read_text())["tickets"] == document["tickets"]
    assert out.stat().st_mode & 0o077 == 0  # health data: owner-only file


def test_delete_erases_all_the_patients_questions_and_closes_open_ones(runner, make_staff):
    make_staff("spine@clinic.test", name="Dr Spine")
    first = ask()
    with_reply_and_attachment(first)
    close(first, 1)
    second = ask(question="Still open, about my neck. marker-c41d")
    other = ask(email="other@example.test", name="Other", question="Someone else's question marker-other.")

    refused = runner.invoke(args=["patient", "delete", "--email", "ann@example.test"], input="n\n")
    assert refused.exit_code != 0 and "marker-c41d" in everything_text()

    result = runner.invoke(args=["patient", "delete", "--email", "ann@example.test", "--yes"])
    assert result.exit_code == 0, result.output
    assert "tickets: 2" in result.output
    db.session.expire_all()
    text = everything_text()
    assert "marker-c41d" not in text and "ann@example.test" not in text and "Ann Patient" not in text
    assert "marker-other" in text
    assert db.session.get(Ticket, second.id).status == "closed"
    assert db.session.get(Ticket, other.id).status != "closed"
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "patient.delete")).scalar_one()
    assert event.target_id == pseudonym("ann@example.test") and event.details["closed"] == 1

    export = json.loads(runner.invoke(args=["patient", "export", "--email", "ann@example.test"]).output)
    assert export["tickets"] == []  # nothing left under that address


def test_deleting_before_mail_goes_out_cancels_it(make_staff):
    from service.mail.outbound import deliver
    from service.privacy import patients

    make_staff("spine@clinic.test", name="Dr Spine")
    ticket = ask()
    queued = db.session.execute(select(OutboundEmail.id).where(OutboundEmail.ticket_id == ticket.id)).scalars().all()
    assert queued
    patients.delete("ann@example.test")
    assert {deliver(email_id) for email_id in queued} == {"failed"}


def test_export_and_delete_find_the_patient_however_the_address_is_typed(runner, make_staff, client):
    """Issue 17 V2: one identity for an address (NFKC, IDNA domain) in every patient look-up."""
    make_staff("spine@clinic.test", name="Dr Spine")
    response = client.post("/api/v1/questions", json={
        "name": "Ann", "email": "Ann@ｅxample.test", "question": f"My neck is stiff. {SECRET_WORDS}", "consent": True})
    assert response.status_code == 202
    legacy = ask(email="Ann@Example.test", question="Asked before addresses were stored folded. marker-legacy")

    export = json.loads(runner.invoke(args=["patient", "export", "--email", "ａｎｎ＠example.test"]).output)
    assert export["email"] == "ann@example.test"
    assert len(export["tickets"]) == 2 and "marker-legacy" in json.dumps(export)

    result = runner.invoke(args=["patient", "delete", "--email", "ANN@EXAMPLE.TEST", "--yes"])
    assert "tickets: 2" in result.output
    db.session.expire_all()
    assert "marker-c41d" not in everything_text() and "marker-legacy" not in everything_text()
    assert db.session.get(Ticket, legacy.id).patient_email == pseudonym("ann@ｅxample.test")
