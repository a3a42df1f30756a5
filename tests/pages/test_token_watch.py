"""The content token heard over Redis pub/sub (token_watch.py): trusted only under a live lease,
and a publish that does not return before every watching process holds the new token."""
from __future__ import annotations

import time
import uuid

import pytest

from service.content.token_watch import LEASE, TokenWatch, channel_for, publish


@pytest.fixture
def client(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=0.25, socket_connect_timeout=0.25)
    yield client
    client.close()


@pytest.fixture
def key() -> str:
    return f"neurodesk:content-token:test-{uuid.uuid4().hex[:8]}"


def started(client, key: str) -> TokenWatch:
    watch = TokenWatch(client, key)
    watch.start()
    deadline = time.monotonic() + 10
    while watch.trusted_token() is None:
        assert time.monotonic() < deadline, "the watch never took a lease"
        time.sleep(0.02)
    return watch


def test_every_watch_holds_the_new_token_when_publish_returns(client, key):
    watches = [started(client, key) for _ in range(3)]
    for _ in range(5):
        publish(client, key)
        live = client.get(key).decode()
        assert [watch.trusted_token() for watch in watches] == [live] * 3


def test_a_watch_stops_trusting_its_token_when_redis_stops_answering(client, key):
    watch = started(client, key)
    client.client_pause(int((LEASE + 0.5) * 1000))  # Redis answers nobody for a while
    time.sleep(LEASE + 0.2)
    assert watch.trusted_token() is None  # requests ask Redis (or the database) themselves
    deadline = time.monotonic() + 10
    while watch.trusted_token() is None:  # and it is trusted again once Redis answers
        assert time.monotonic() < deadline, "the watch never recovered"
        time.sleep(0.05)
    assert watch.trusted_token() == client.get(key).decode()


def test_publish_waits_out_the_lease_of_a_subscriber_that_never_acknowledges(client, key):
    silent = client.pubsub()
    silent.subscribe(channel_for(key))
    assert silent.get_message(timeout=1)["type"] == "subscribe"
    watch = started(client, key)
    began = time.monotonic()
    publish(client, key)
    # It did return, and not before a stuck process's lease on the old token had run out.
    assert time.monotonic() - began >= LEASE
    assert watch.trusted_token() == client.get(key).decode()
    silent.close()


def test_a_watch_that_connects_after_a_publish_starts_from_the_new_token(client, key):
    publish(client, key)  # nobody listening: returns at once
    assert started(client, key).trusted_token() == client.get(key).decode()


def test_a_change_whose_message_never_came_is_picked_up_within_the_lease(client, key):
    """A publisher that set the key and lost Redis before publishing (it then waits LEASE out)."""
    watch = started(client, key)
    old = watch.trusted_token()
    client.set(key, "set-without-a-message")
    time.sleep(LEASE)
    assert watch.trusted_token() == "set-without-a-message" != old
