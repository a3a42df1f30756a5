"""A coordinator works a question in Debian chromium: logs in, re-tags, reassigns; the surgeon is mailed."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.extensions import db
from service.tickets.models import OutboundEmail, Ticket
from service.triage.models import TriageCorrection
from tests.desk.factories import eager_celery, make_ticket

pytestmark = pytest.mark.browser


@pytest.fixture
def db_backend() -> str:
    return "sqlite"


@pytest.fixture
def app_config():
    return {"CELERY": eager_celery()}


def test_coordinator_retags_and_reassigns_and_the_surgeon_gets_mail(live_url, phone_page, make_staff):
    page = phone_page
    make_staff("coord@clinic.test", name="Cora Coordinator", role="coordinator", specialties=())
    spine = make_staff("spine@clinic.test", name="Dr Spine", role="surgeon", specialties=("spine",))
    brain = make_staff("brain@clinic.test", name="Dr Brain", role="surgeon", specialties=("brain",))
    ticket = make_ticket(assignee=spine, tag="spine", question="Severe headaches every morning with vomiting")

    page.goto(f"{live_url}/desk/login")
    page.fill("#email", "coord@clinic.test")
    page.fill("#password", "correct horse")
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{live_url}/desk/")
    page.click(f"a:has-text('{ticket.reference}')")
    page.wait_for_url(f"{live_url}/desk/tickets/{ticket.reference}")

    page.select_option("#retag-tag", "brain")
    page.click("button:has-text('Save topic')")
    page.wait_for_selector("text=Topic saved")
    assert page.get_attribute("[data-tag]", "data-tag") == "brain"

    page.select_option("#assign-surgeon", str(brain.id))
    page.click("button:has-text('Assign')")
    page.wait_for_selector("text=Reassigned")
    assert page.get_attribute("[data-assignee]", "data-assignee") == "brain@clinic.test"
    assert "Assigned to brain@clinic.test" in page.inner_text(".timeline")

    db.session.expire_all()
    mail = db.session.execute(select(OutboundEmail).where(
        OutboundEmail.ticket_id == ticket.id, OutboundEmail.kind == "surgeon_notification")).scalars().all()
    assert [(m.to_addr, m.status) for m in mail] == [("Dr Brain <brain@clinic.test>", "kept")]
    assert db.session.execute(select(TriageCorrection.tag)).scalars().all() == ["brain"]
    assert db.session.get(Ticket, ticket.id).tag == "brain"

    # The surgeon's mail is in the dev mailbox the coordinator can open.
    page.goto(f"{live_url}/desk/mail")
    assert f"[{ticket.reference}]" in page.inner_text("table.mail-list")
