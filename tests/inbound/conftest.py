"""Inbound replies: a real ticket with a real surgeon notification, replies built from its row."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.extensions import db
from service.mail.inbound.signature import compute_signature
from service.tickets import outbox, services
from service.tickets.models import OutboundEmail, Ticket
from tests.fixtures.smtp import smtp_server  # noqa: F401
from tests.tickets.conftest import celery_config

SECRET = "inbound-test-secret"
QUESTION = "My lower back hurts and the sciatica goes down my left leg. Would a discectomy help?"


def inbound_settings(smtp_server) -> dict[str, object]:  # noqa: F811
    # Eager Celery: the webhook's processing task and the send task run in-process, against
    # a real SMTP server, so a test sees exactly what a patient would receive.
    return {
        "CELERY": celery_config(task_always_eager=True),
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": smtp_server.port,
        "MAIL_SUPPRESS_SEND": False,
        "INBOUND_WEBHOOK_SECRET": SECRET,
        "OUTBOX_RELAY_AFTER_SECONDS": 0,
        "OUTBOX_REDISPATCH_AFTER_SECONDS": 0,
    }


@pytest.fixture
def app_config(smtp_server):  # noqa: F811
    return inbound_settings(smtp_server)


@pytest.fixture
def surgeon(make_staff):
    return make_staff("dr.spine@clinic.test", name="Dr Sam Spine", role="surgeon")


@pytest.fixture
def coordinator(make_staff):
    return make_staff("cora@clinic.test", name="Cora Ord", role="coordinator", specialties=())


@pytest.fixture
def ticket(surgeon, smtp_server) -> Ticket:  # noqa: F811
    """A spine question, triaged and assigned to `surgeon`, its two emails delivered by SMTP."""
    submission = services.submit_question(name="Ann Patient", email="Ann@Example.test", question=QUESTION, topic=None)
    db.session.commit()
    outbox.dispatch(submission.event_ids)
    smtp_server.wait_for(lambda ms: len(ms) >= 2)
    db.session.expire_all()
    ticket = db.session.get(Ticket, submission.ticket_id)
    assert ticket.status == "assigned" and ticket.assignee_id == surgeon.id
    return ticket


def notification_for(ticket: Ticket) -> OutboundEmail:
    return db.session.execute(
        select(OutboundEmail).where(OutboundEmail.ticket_id == ticket.id, OutboundEmail.kind == "surgeon_notification")
    ).scalar_one()


def post(client, raw: bytes, *, secret: str | None = SECRET, content_type: str = "message/rfc822", signature=None):
    headers = {"Content-Type": content_type}
    if signature is None and secret is not None:
        signature = compute_signature(raw, secret)
    if signature is not None:
        headers["X-Neurodesk-Signature"] = signature
    return client.post("/inbound/email", data=raw, headers=headers)
