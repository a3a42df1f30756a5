"""MAIL_INCLUDE_QUESTION=0 keeps the patient's words (and name) out of the surgeon's mailbox."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.extensions import db
from service.tickets import services
from service.tickets.models import OutboundEmail, Ticket

QUESTION = "My lower back hurts and the sciatica goes down my left leg, marker-7f3a."


def notification(make_staff) -> tuple[Ticket, OutboundEmail]:
    make_staff("spine@clinic.test", name="Dr Spine")
    submission = services.submit_question(name="Ann Patient", email="ann@example.test", question=QUESTION, topic=None)
    db.session.commit()
    services.triage_ticket(submission.ticket_id)
    email = db.session.execute(
        select(OutboundEmail).where(OutboundEmail.kind == "surgeon_notification")
    ).scalar_one()
    return db.session.get(Ticket, submission.ticket_id), email


def test_by_default_the_notification_carries_the_question(make_staff):
    ticket, email = notification(make_staff)
    assert "marker-7f3a" in email.text_body and "marker-7f3a" in email.html_body


@pytest.mark.parametrize("app_config", [{"MAIL_INCLUDE_QUESTION": False}])
def test_switched_off_the_notification_has_only_the_reference_and_a_desk_link(make_staff, app_config):
    ticket, email = notification(make_staff)
    for body in (email.text_body, email.html_body):
        assert "marker-7f3a" not in body and "sciatica" not in body
        assert "Ann Patient" not in body
        assert ticket.reference in body
        assert f"/desk/tickets/{ticket.reference}" in body
    assert f"[{ticket.reference}]" in email.subject
    assert "Reply-To" in email.headers  # a reply by email still reaches the ticket


def test_the_setting_is_read_from_the_environment():
    from pathlib import Path

    from service.config import Config

    assert Config(Path("/tmp"), environ={"SECRET_KEY": "x"}).MAIL_INCLUDE_QUESTION is True
    assert Config(Path("/tmp"), environ={"SECRET_KEY": "x", "MAIL_INCLUDE_QUESTION": "0"}).MAIL_INCLUDE_QUESTION is False
