"""POST /api/v1/questions: the JSON intake (CONTRACT.md section 4)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from service.extensions import db
from service.tickets.models import Message, OutboundEmail, OutboxEvent, Ticket
from tests.tickets.conftest import NOTHING, celery_config, counts

SPINE = "My lower back hurts and the sciatica goes down my left leg. Would a discectomy help?"
RED_FLAG = "Since this morning my groin is numb and I cannot pee, and my back pain is terrible."


def ask(client, **overrides):
    body = {"name": "Ann Patient", "email": "ann@example.test", "question": SPINE, "consent": True}
    body.update(overrides)
    return client.post("/api/v1/questions", json={k: v for k, v in body.items() if v is not ...})


def test_question_creates_ticket_first_message_and_triage_event_together(client):
    response = ask(client, topic="spine")
    assert response.status_code == 202
    body = response.get_json()
    assert re.fullmatch(r"Q-[0-9A-Z]{4}-[0-9A-Z]{4}", body["reference"])
    assert body["urgent"] is False and body["emergency_advice"] is None
    ticket = db.session.execute(select(Ticket)).scalar_one()
    assert ticket.reference == body["reference"] and ticket.status == "new"
    assert ticket.patient_email == "ann@example.test" and ticket.requested_topic == "spine"
    assert [(m.kind, m.body) for m in ticket.messages] == [("patient", SPINE)]
    event = db.session.execute(select(OutboxEvent)).scalar_one()
    assert event.kind == "triage_ticket" and event.payload == {"ticket_id": ticket.id}
    assert event.dispatched_at is not None  # handed to the (in-memory) broker after commit


def test_references_are_random_not_sequential(client):
    references = {ask(client, email=f"p{i}@example.test").get_json()["reference"] for i in range(5)}
    assert len(references) == 5


def test_red_flag_answers_urgent_with_advice_and_promises_the_alerts_on_the_urgent_queue(client, make_staff):
    make_staff("coord1@clinic.test", name="Cora", role="coordinator", specialties=())
    response = ask(client, question=RED_FLAG)
    assert response.status_code == 202
    body = response.get_json()
    assert body["urgent"] is True
    assert "emergency" in body["emergency_advice"]
    ticket = db.session.execute(select(Ticket)).scalar_one()
    assert ticket.urgent and ticket.reasons
    # Written with the ticket, alerts first: a worker writes and sends them from the urgent queue.
    events = db.session.execute(select(OutboxEvent).order_by(OutboxEvent.id)).scalars().all()
    assert [(e.kind, e.urgent, e.payload) for e in events] == [
        ("alert_red_flags", True, {"ticket_id": ticket.id}), ("triage_ticket", True, {"ticket_id": ticket.id})]
    assert all(e.dispatched_at is not None for e in events)


def test_ordinary_question_is_not_urgent_work(client):
    ask(client)
    event = db.session.execute(select(OutboxEvent)).scalar_one()
    assert (event.kind, event.urgent) == ("triage_ticket", False)


@pytest.mark.parametrize("question", [SPINE, RED_FLAG])
def test_on_postgresql_a_submission_is_one_statement_outside_any_transaction(client, db_backend, question):
    """The whole write is one statement in autocommit mode (atomic by itself): no BEGIN, no
    COMMIT round trips. The connection goes back to the pool in ordinary transaction mode."""
    if db_backend != "postgres":
        pytest.skip("SQLite writes a submission as a few INSERTs in one transaction")
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement.split(None, 1)[0], conn.connection.dbapi_connection.autocommit,
                     conn.connection.dbapi_connection))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert ask(client, question=question).status_code == 202
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    [(verb, autocommit, used)] = seen
    assert (verb, autocommit) == ("WITH", True)
    assert db.session.connection().connection.dbapi_connection is used
    assert used.autocommit is False  # the next unit of work on it is a real transaction
    assert counts()["ticket"] == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": "too short"}, "question"),
        ({"question": "x" * 5001}, "question"),
        ({"question": "binary \x00\x01 data in my question"}, "question"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b.test\r\nBcc: victim@example.com"}, "email"),
        ({"name": "Ann\r\nBcc: victim@example.com"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "n" * 121}, "name"),
        ({"consent": False}, "consent"),
        ({"consent": "yes"}, "consent"),
        ({"consent": ...}, "consent"),
        ({"topic": "knees"}, "topic"),
        ({"question": 42}, "question"),
    ],
)
def test_invalid_question_is_422_with_the_field_named_and_nothing_written(client, overrides, field):
    response = ask(client, **overrides)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and field in error["fields"]
    assert counts() == NOTHING


def test_form_encoded_body_is_415(client):
    response = client.post("/api/v1/questions", data={"name": "Ann", "email": "ann@example.test"})
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"
    assert counts() == NOTHING


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/questions", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"


def test_json_that_is_not_an_object_is_422(client):
    response = client.post("/api/v1/questions", json=["a", "list"])
    assert response.status_code == 422
    assert counts() == NOTHING


class TestBrokerDown:
    @pytest.fixture
    def app_config(self):
        # Nothing listens on port 1: every publish fails at once.
        return {"CELERY": celery_config("redis://127.0.0.1:1/0")}

    def test_submission_still_succeeds_and_the_event_waits_for_the_relay(self, client):
        response = ask(client)
        assert response.status_code == 202
        event = db.session.execute(select(OutboxEvent)).scalar_one()
        assert event.dispatched_at is None and event.attempts == 1
        assert event.last_error  # the exception class only: no patient text in it
        assert "sciatica" not in event.last_error
        assert db.session.execute(select(Message)).scalar_one().body == SPINE
