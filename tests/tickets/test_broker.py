"""The Redis broker transport (service/broker.py) against real redis-server processes."""
from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from service.broker import Transport
from service.config import URGENT_QUEUE, Config
from service.extensions import db
from service.tickets import outbox
from service.tickets.models import OutboxEvent, Ticket
from tests.reliability.chaos import PrivateRedis
from tests.tickets.conftest import celery_config

pytestmark = [pytest.mark.redis]
SPINE = "My lower back hurts and the sciatica goes down my left leg. Would a discectomy help?"
RED_FLAG = "Since this morning my groin is numb and I cannot pee, and my back pain is terrible."


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(private_redis):
    config = Config(Path("/tmp"), environ={"SECRET_KEY": "x", "REDIS_URL": private_redis.url})
    return {"CELERY": celery_config(private_redis.url, broker_transport=config.CELERY["broker_transport"]),
            "REDIS_URL": private_redis.url}


def ask(client, email="ann@example.test", question=SPINE):
    response = client.post("/api/v1/questions",
                           json={"name": "Ann", "email": email, "question": question, "consent": True})
    assert response.status_code == 202
    return response.get_json()["reference"]


def queued_ticket_ids(url: str, queue: str = "celery") -> list[int]:
    messages = redis.Redis.from_url(url).lrange(queue, 0, -1)
    return sorted(json.loads(base64.b64decode(json.loads(m)["body"]))[0][0] for m in messages)


def test_redis_urls_use_the_transport_and_other_schemes_keep_kombu_s():
    def transport(url):
        return Config(Path("/tmp"), environ={"SECRET_KEY": "x", "REDIS_URL": url}).CELERY.get(
            "broker_transport")

    assert transport("redis://cache:6379/0") == transport("rediss://cache:6380/0") == "service.broker:Transport"
    assert transport("sentinel://cache:26379") is None


def test_submissions_reach_the_queue_and_survive_a_broker_restart(app, client, private_redis):
    celery = app.extensions["celery"]
    with celery.connection_for_write() as connection:
        assert isinstance(connection.transport, Transport)
    first = [ask(client, f"p{n}@example.test") for n in range(3)]
    assert len(first) == 3 and len(queued_ticket_ids(private_redis.url)) == 3

    private_redis.stop()  # every pooled connection dies with the server
    ask(client, "down@example.test")  # still accepted: the event waits for the relay
    stranded = db.session.execute(select(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None))).scalars().all()
    assert len(stranded) == 1

    private_redis.start()  # an empty server on the same port (no persistence)
    ask(client, "back@example.test")  # the next publish reconnects at once
    assert outbox.dispatch([e.id for e in stranded]) == 1  # and so does the relay's
    assert len(queued_ticket_ids(private_redis.url)) == 2


def test_a_broker_that_comes_back_empty_gets_every_undone_event_again_at_the_next_relay(app, client, private_redis):
    assert outbox.relay_pending() == 0  # the first tick leaves its marker in the broker
    references = [ask(client, f"p{n}@example.test") for n in range(3)]
    tickets = db.session.execute(select(Ticket.id).order_by(Ticket.id)).scalars().all()
    assert len(references) == 3 and queued_ticket_ids(private_redis.url) == tickets
    assert outbox.relay_pending() == 0  # dispatched seconds ago: not stranded yet

    private_redis.stop()
    private_redis.start()  # no persistence: the three queued triage tasks are gone
    assert queued_ticket_ids(private_redis.url) == []
    # No waiting for OUTBOX_REDISPATCH_AFTER_SECONDS (15 minutes by default): the marker is gone.
    assert outbox.relay_pending() == 3
    assert queued_ticket_ids(private_redis.url) == tickets
    assert outbox.relay_pending() == 0  # the marker is back: nothing is dispatched a third time


def test_an_emergency_s_undone_work_is_dispatched_again_within_a_minute_whatever_the_broker_says(
        app, client, private_redis, make_staff):
    make_staff("coord@clinic.test", name="Cora Ord", role="coordinator", specialties=())  # someone to alert
    assert outbox.relay_pending() == 0
    ask(client, "calm@example.test")
    ask(client, "urgent@example.test", question=RED_FLAG)
    urgent_before = queued_ticket_ids(private_redis.url, URGENT_QUEUE)
    assert urgent_before  # the emergency's triage and alerts went to the urgent queue
    # Both dispatched 50 s ago and still undone (say a worker died holding them).
    for event in db.session.execute(select(OutboxEvent)).scalars():
        event.dispatched_at -= timedelta(seconds=50)
    db.session.commit()

    assert outbox.relay_pending() == len(urgent_before)
    assert queued_ticket_ids(private_redis.url, URGENT_QUEUE) == sorted(urgent_before * 2)
    assert len(queued_ticket_ids(private_redis.url)) == 1  # the calm question waits for the 15-minute rule
