"""End to end with real processes: PostgreSQL, Redis, a Celery worker subprocess, aiosmtpd.

The surgeon's reply is built from the notification the worker really sent over SMTP, posted
to the webhook, processed by the worker, and the patient's copy is read back from SMTP.
"""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from service.extensions import db
from service.mail.inbound.models import InboundMessage
from service.tickets import outbox
from service.tickets.models import OutboundEmail, Ticket
from tests.fixtures.smtp import smtp_server  # noqa: F401
from tests.fixtures.worker import start_worker  # noqa: F401
from tests.inbound.conftest import QUESTION, SECRET, post
from tests.inbound.mails import ANSWER, gmail_reply
from tests.tickets.conftest import celery_config

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def db_backend() -> str:
    return "postgres"  # the worker process shares the database with the test


@pytest.fixture
def app_config(redis_url, smtp_server):  # noqa: F811
    return {"CELERY": celery_config(redis_url), "REDIS_URL": redis_url, "MAIL_SERVER": smtp_server.host,
            "MAIL_PORT": smtp_server.port, "MAIL_SUPPRESS_SEND": False, "INBOUND_WEBHOOK_SECRET": SECRET,
            "OUTBOX_RELAY_AFTER_SECONDS": 0, "OUTBOX_REDISPATCH_AFTER_SECONDS": 0}


@pytest.fixture
def worker_settings(database_url, redis_url, smtp_server) -> dict[str, str]:  # noqa: F811
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "MAIL_SERVER": smtp_server.host,
            "MAIL_PORT": str(smtp_server.port)}


def answers(messages):
    return [m for m in messages if "Answer to your question" in m["Subject"]]


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition never became true")


def asked_and_notified(client, smtp_server):  # noqa: F811
    response = client.post("/api/v1/questions", json={"name": "Ann Patient", "email": "ann@example.test",
                                                      "question": QUESTION, "consent": True})
    reference = response.get_json()["reference"]
    messages = smtp_server.wait_for(lambda ms: len(ms) >= 2)
    [notification] = [m for m in messages if "New spine question" in m["Subject"]]
    return reference, notification


def reply_to(notification) -> bytes:
    """What Gmail sends when the surgeon presses Reply on the notification they received."""
    return gmail_reply(sent_to=notification["From"], sent_from="Dr Spine <spine@clinic.test>",
                       subject=notification["Subject"], in_reply_to=notification["Message-ID"],
                       reply_to=notification["Reply-To"])


def test_surgeons_reply_reaches_the_patient_through_the_worker(client, make_staff, start_worker,  # noqa: F811
                                                               worker_settings, smtp_server):  # noqa: F811
    make_staff("spine@clinic.test", name="Dr Spine", role="surgeon")
    worker = start_worker(**worker_settings)
    reference, notification = asked_and_notified(client, smtp_server)
    raw = reply_to(notification)
    assert post(client, raw).get_json() == {"status": "accepted"}
    assert post(client, raw).get_json() == {"status": "duplicate"}
    messages = smtp_server.wait_for(lambda ms: len(answers(ms)) == 1)
    [answer] = answers(messages)
    body = answer.get_body(("plain",)).get_content()
    assert ANSWER.splitlines()[0] in body and "Consultant" not in body and "> " not in body
    assert reference in answer["Subject"] and answer["To"] == "Ann Patient <ann@example.test>"
    wait_for(lambda: db.session.execute(select(Ticket.status).where(Ticket.reference == reference)).scalar_one() == "answered")
    # The answer went out from the inbound task itself: no send_email task, no broker round trip.
    worker.wait_until("Task neurodesk.process_inbound[", "] succeeded")  # emails marked completed by then
    assert not any("Task neurodesk.send_email[" in line for line in worker.lines)
    assert outbox.relay_pending() == 0
    assert len(answers(smtp_server.messages)) == 1


def test_worker_killed_while_sending_the_answer_still_delivers_it_exactly_once(client, make_staff, start_worker,  # noqa: F811
                                                                               worker_settings, smtp_server):  # noqa: F811
    make_staff("spine@clinic.test", name="Dr Spine", role="surgeon")
    first = start_worker(**worker_settings)
    reference, notification = asked_and_notified(client, smtp_server)
    smtp_server.hold_next()
    assert post(client, reply_to(notification)).get_json() == {"status": "accepted"}
    assert smtp_server.handler.holding.wait(30), "the worker never reached SMTP DATA for the answer"
    first.kill()  # SIGKILL mid-DATA: the task is unacknowledged, the row lock dies with the connection
    smtp_server.release()
    start_worker(**worker_settings)
    assert outbox.relay_pending() >= 1  # beat's relay sees the answer still queued and dispatches it again
    messages = smtp_server.wait_for(lambda ms: len(answers(ms)) == 1)
    wait_for(lambda: db.session.execute(select(OutboundEmail.status).where(
        OutboundEmail.kind == "surgeon_answer")).scalar_one() == "sent")
    outbox.relay_pending()
    assert len(answers(smtp_server.messages)) == 1
    [inbound] = db.session.execute(select(InboundMessage)).scalars().all()
    assert inbound.status == "forwarded" and reference in answers(messages)[0]["Subject"]
