"""End to end with real processes: PostgreSQL, Redis broker, a Celery worker subprocess, aiosmtpd.

The web side is the test's Flask app (same database and broker); the worker is
`celery -A worker worker --pool=solo` built from the environment, as in production.
"""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from service import create_app
from service.extensions import db
from service.mail.addresses import parse_reply_address
from service.tickets import outbox
from service.tickets.models import OutboundEmail, OutboxEvent, Ticket
from tests.conftest import base_config
from tests.fixtures.smtp import smtp_server  # noqa: F401
from tests.fixtures.worker import start_worker  # noqa: F401
from tests.tickets.conftest import celery_config

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

SPINE = "My lower back hurts and the sciatica goes down my left leg. Would a discectomy help?"
RED_FLAG = "Since this morning my groin is numb and I cannot pee, and my back pain is terrible."


@pytest.fixture
def db_backend() -> str:
    return "postgres"  # a worker process needs a database it can share with the test


@pytest.fixture
def app_config(redis_url, smtp_server):  # noqa: F811
    return {
        "CELERY": celery_config(redis_url),
        "REDIS_URL": redis_url,
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": smtp_server.port,
        "MAIL_SUPPRESS_SEND": False,
        "OUTBOX_RELAY_AFTER_SECONDS": 0,
        "OUTBOX_REDISPATCH_AFTER_SECONDS": 0,
    }


@pytest.fixture
def worker_settings(database_url, redis_url, smtp_server) -> dict[str, str]:  # noqa: F811
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "MAIL_SERVER": smtp_server.host,
            "MAIL_PORT": str(smtp_server.port)}


@pytest.fixture
def staff(make_staff):
    return {
        "surgeon": make_staff("spine@clinic.test", name="Dr Spine", role="surgeon"),
        "coordinator": make_staff("coord@clinic.test", name="Cora Ord", role="coordinator", specialties=()),
    }


def ask(client, question=SPINE, email="ann@example.test"):
    response = client.post("/api/v1/questions",
                           json={"name": "Ann Patient", "email": email, "question": question, "consent": True})
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()


def by_subject(messages, text):
    return [m for m in messages if text in m["Subject"]]


def wait_for_rows(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        rows = db.session.execute(select(OutboundEmail).order_by(OutboundEmail.id)).scalars().all()
        if predicate(rows):
            return rows
        time.sleep(0.05)
    raise AssertionError(f"rows never matched: {[(r.kind, r.status, r.attempts, r.last_error) for r in rows]}")


def test_spine_question_reaches_the_spine_surgeon_and_the_patient_by_smtp(client, staff, start_worker,  # noqa: F811
                                                                           worker_settings, smtp_server):  # noqa: F811
    start_worker(**worker_settings)
    reference = ask(client)["reference"]
    messages = smtp_server.wait_for(lambda ms: len(ms) >= 2)
    [notification] = by_subject(messages, "New spine question")
    [ack] = by_subject(messages, "We received your question")
    assert f"[{reference}]" in notification["Subject"]
    assert notification["To"] == "Dr Spine <spine@clinic.test>"
    token = parse_reply_address(notification["Reply-To"])
    ticket = db.session.execute(select(Ticket).where(Ticket.reference == reference)).scalar_one()
    assert (token.ticket_id, token.staff_id) == (ticket.id, staff["surgeon"].id)
    assert notification["Message-ID"] == f"<{reference.lower()}.notify-{staff['surgeon'].id}@reply.localhost>"
    assert notification["Auto-Submitted"] == "auto-generated"
    assert "sciatica" in notification.get_body(("plain",)).get_content()
    assert ack["To"] == "Ann Patient <ann@example.test>" and reference in ack.get_body(("plain",)).get_content()
    assert (ticket.status, ticket.tag, ticket.assignee_id) == ("assigned", "spine", staff["surgeon"].id)
    wait_for_rows(lambda rows: len(rows) == 2 and {r.status for r in rows} == {"sent"})


def test_red_flag_is_urgent_at_once_and_the_coordinator_is_alerted(client, staff, start_worker,  # noqa: F811
                                                                   worker_settings, smtp_server):  # noqa: F811
    start_worker(**worker_settings)
    body = ask(client, question=RED_FLAG)
    assert body["urgent"] is True and "emergency" in body["emergency_advice"]
    messages = smtp_server.wait_for(lambda ms: by_subject(ms, "URGENT") and by_subject(ms, "We received"))
    [alert] = by_subject(messages, "red flag")
    assert alert["To"] == "Cora Ord <coord@clinic.test>" and body["reference"] in alert["Subject"]
    ack = by_subject(messages, "We received")[0].get_body(("plain",)).get_content()
    assert "emergency department" in ack


def test_an_emergency_is_alerted_and_routed_before_a_backlog_of_ordinary_questions(  # noqa: F811
        client, staff, start_worker, worker_settings, smtp_server):  # noqa: F811
    backlog = [ask(client, email=f"p{n}@example.test")["reference"] for n in range(12)]
    emergency = ask(client, question=RED_FLAG, email="urgent@example.test")["reference"]
    start_worker(**worker_settings)  # finds 12 ordinary triage tasks queued ahead of the emergency
    wait_for_rows(lambda rows: len(rows) == 2 * 13 + 1 and {r.status for r in rows} == {"sent"}, timeout=120)
    sent = {(r.ticket.reference, r.kind): r.sent_at for r in db.session.execute(select(OutboundEmail)).scalars()}
    tickets = {t.reference: t for t in db.session.execute(select(Ticket)).scalars()}
    first_ordinary_triage = min(tickets[reference].triaged_at for reference in backlog)
    # The urgent queue is emptied first: the coordinator's alert and the surgeon's notification
    # for the emergency are out before the worker has so much as triaged the first ordinary question.
    assert sent[(emergency, "red_flag_alert")] < first_ordinary_triage
    assert sent[(emergency, "surgeon_notification")] < first_ordinary_triage
    assert tickets[emergency].assignee_id == staff["surgeon"].id


def test_broker_down_at_submit_then_the_relay_gets_the_ticket_triaged(database_url, staff, start_worker,  # noqa: F811
                                                                      worker_settings, smtp_server, app):  # noqa: F811
    broken = create_app(base_config(database_url, CELERY=celery_config("redis://127.0.0.1:1/0")))
    reference = ask(broken.test_client())["reference"]
    with broken.app_context():
        db.engine.dispose()
    ticket = db.session.execute(select(Ticket).where(Ticket.reference == reference)).scalar_one()
    assert ticket.status == "new"
    start_worker(**worker_settings)
    assert outbox.relay_pending() == 1  # what beat's neurodesk.relay_outbox does every 5 s
    smtp_server.wait_for(lambda ms: len(ms) >= 2)
    db.session.rollback()
    assert db.session.get(Ticket, ticket.id).status == "assigned"


def test_a_question_s_emails_go_out_from_its_triage_task_and_leave_the_relay_nothing(
        client, staff, start_worker, worker_settings, smtp_server):  # noqa: F811
    worker = start_worker(**worker_settings)
    reference = ask(client)["reference"]
    messages = smtp_server.wait_for(lambda ms: len(ms) >= 2)
    assert all(reference in m["Subject"] for m in messages)
    worker.wait_until("Task neurodesk.triage_ticket[", "] succeeded")  # emails marked completed by then
    assert not any("Task neurodesk.send_email[" in line for line in worker.lines)  # no task per email
    db.session.rollback()
    events = db.session.execute(select(OutboxEvent).where(OutboxEvent.kind == "send_email")).scalars().all()
    assert len(events) == 2 and all(e.completed_at is not None for e in events)
    assert outbox.relay_pending() == 0
    assert len(smtp_server.messages) == 2


def test_smtp_451_is_retried_with_backoff_and_delivered_exactly_once(client, staff, start_worker,  # noqa: F811
                                                                     worker_settings, smtp_server):  # noqa: F811
    smtp_server.fail_next(2)
    start_worker(**worker_settings)
    ask(client)
    rows = wait_for_rows(lambda rows: len(rows) == 2 and {r.status for r in rows} == {"sent"}, timeout=60)
    messages = smtp_server.messages
    assert len(messages) == 2 and len({m["Message-ID"] for m in messages}) == 2
    assert sum(r.attempts for r in rows) == 4  # two 451s, two successes


def test_worker_killed_mid_send_then_a_new_worker_delivers_exactly_once(client, staff, start_worker,  # noqa: F811
                                                                        worker_settings, smtp_server):  # noqa: F811
    smtp_server.hold_next()
    first = start_worker(**worker_settings)
    reference = ask(client)["reference"]
    assert smtp_server.handler.holding.wait(30), "the worker never reached SMTP DATA"
    first.kill()  # SIGKILL: no cleanup, the message is unacknowledged, the row lock dies with it
    smtp_server.release()
    start_worker(**worker_settings)
    # Beat's relay notices the email still queued after its task was dispatched and sends it again.
    assert outbox.relay_pending() >= 1
    rows = wait_for_rows(lambda rows: len(rows) == 2 and {r.status for r in rows} == {"sent"}, timeout=60)
    messages = smtp_server.messages
    assert sorted(m["Message-ID"] for m in messages) == sorted(r.message_id for r in rows)
    assert all(reference in m["Subject"] for m in messages)
    outbox.relay_pending()  # a further tick finds nothing left to do
    assert len(smtp_server.messages) == 2


def test_the_worker_logs_json_lines_without_patient_text(client, staff, start_worker,  # noqa: F811
                                                         worker_settings, smtp_server):  # noqa: F811
    import json

    worker = start_worker(**worker_settings)
    reference = ask(client)["reference"]
    smtp_server.wait_for(lambda ms: len(ms) >= 2)
    worker.wait_until("succeeded")
    records = [json.loads(line) for line in worker.lines if line.startswith("{")]
    assert any(r["logger"] == "celery.apps.worker" and r["msg"].endswith("ready.") for r in records)
    assert any("succeeded" in r["msg"] for r in records)
    assert all({"ts", "level", "logger", "msg"} <= r.keys() for r in records)
    assert not any("sciatica" in line for line in worker.lines)  # the question never reaches a log
    assert reference  # the ticket went through the logged pipeline
