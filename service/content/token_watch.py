"""Hear content-token changes over Redis pub/sub instead of asking Redis on every request.

freshness.py's per-request `GET` of the shared content token was the largest cost of a stored
page: the round trip (two syscalls, a thread switch, Redis's own CPU on the same cores) cost
about as much as serving the page, and measured without it the article page went from 4,700 to
8,600 req/s. So each web process keeps one subscriber thread that holds the live token in memory.

What keeps it never stale, when a message can be late or lost:
  * Leases. Every CHECK_EVERY seconds the watcher reads the key itself (and pings its
    subscription, reconnecting if that goes quiet). A read sent at `t` makes the token
    trustworthy until `t + LEASE`; a message in between only makes it newer. Requests use the
    in-memory token only within its lease, and otherwise ask Redis themselves, as before. A
    stopped, starved or disconnected watcher stops renewing, and its process falls back to
    the per-request check within LEASE. (Five small reads a second per process, instead of
    one per request.)
  * Acknowledged publish. `publish()` sets the token, publishes it, and waits until every
    subscriber that received it has acknowledged (pushed to a per-token list) or, failing
    that, until LEASE after the publish: by then any process that did not acknowledge has
    had its lease run out. An editor's request therefore does not answer until every process
    either holds the new token or has stopped trusting the old one.
  * A (re)connecting watcher subscribes first and reads the token second, so a publish between
    the two is never missed.

Publish costs the editor one acknowledgement round (about a millisecond) and, only when a
process is stuck, up to LEASE seconds.
"""
from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from typing import Any

log = logging.getLogger(__name__)

LEASE = 1.0        # seconds an in-memory token is trusted after the read that confirmed it
CHECK_EVERY = 0.2  # renews the lease well before it runs out
RECONNECT_AFTER = 0.5
ACK_TTL = 60       # the acknowledgement lists are scratch space: Redis drops them itself

_NOT_WATCHING = (None, 0.0)


class TokenWatch:
    """One subscriber thread per process and token key, shared by every app object using it."""

    _registry: dict[tuple[str, str], "TokenWatch"] = {}
    _registry_lock = threading.Lock()

    @classmethod
    def for_process(cls, client: Any, url: str, key: str) -> "TokenWatch":
        pid = os.getpid()
        with cls._registry_lock:
            watch = cls._registry.get((url, key))
            if watch is None or watch.pid != pid:  # none yet, or inherited through a fork (thread gone)
                watch = cls._registry[(url, key)] = cls(client, key)
                watch.start()
            return watch

    def __init__(self, client: Any, key: str) -> None:
        self.client = client
        self.key = key
        self.channel = channel_for(key)
        self.pid = os.getpid()
        # (token, lease end on time.monotonic()): one tuple, so readers never see half an update.
        self.state: tuple[str | None, float] = _NOT_WATCHING

    def start(self) -> None:
        threading.Thread(target=self._run, name="content-token-watch", daemon=True).start()

    def trusted_token(self) -> str | None:
        token, lease_end = self.state
        return token if token is not None and time.monotonic() < lease_end else None

    def _run(self) -> None:
        while True:
            try:
                self._watch()
            except Exception:  # Redis gone or restarted: requests check per request meanwhile
                log.info("content token watch interrupted; reconnecting", exc_info=True)
            self.state = _NOT_WATCHING
            time.sleep(RECONNECT_AFTER)

    def _watch(self) -> None:
        pubsub = self.client.pubsub()
        try:
            pubsub.subscribe(self.channel)
            # Subscribed before reading: a token published from here on arrives as a message.
            while (message := pubsub.get_message(timeout=LEASE)) is None or message["type"] != "subscribe":
                if message is None:
                    raise TimeoutError("no subscribe confirmation")
            pings: dict[bytes, float] = {}
            sequence = 0
            next_check = 0.0
            while True:
                now = time.monotonic()
                if now >= next_check:
                    # The lease comes from reading the key itself: it also covers a change whose
                    # message never came (a publisher that set the key and then lost Redis).
                    token = read_or_create(self.client, self.key)
                    self.state = (token, now + LEASE)
                    # And the subscription must still be alive for changes to arrive at once.
                    if pings and now - min(pings.values()) > LEASE:
                        raise TimeoutError("Redis stopped answering pings on the subscription")
                    sequence += 1
                    pings[str(sequence).encode()] = now
                    pubsub.ping(str(sequence))
                    next_check = now + CHECK_EVERY
                message = pubsub.get_message(timeout=max(0.0, next_check - time.monotonic()))
                if message is None:
                    continue
                if message["type"] == "message":
                    token = _text(message["data"])
                    self.state = (token, self.state[1])
                    acknowledge(self.client, self.key, token)
                elif message["type"] == "pong":
                    sent = pings.pop(message["data"], None)
                    if sent is not None:  # older pings are answered by this pong too (in order)
                        pings = {seq: at for seq, at in pings.items() if at > sent}
        finally:
            self.state = _NOT_WATCHING
            pubsub.close()


def channel_for(key: str) -> str:
    return key + ":changed"


def read_or_create(client: Any, key: str) -> str:
    value = client.get(key)
    if value is None:
        # First use, or Redis lost its data: a fresh random token nobody has cached.
        client.set(key, uuid.uuid4().hex, nx=True)
        value = client.get(key)
    return _text(value)


def acknowledge(client: Any, key: str, token: str) -> None:
    ack_list = f"{key}:ack:{token}"
    client.pipeline(transaction=False).rpush(ack_list, os.getpid()).expire(ack_list, ACK_TTL).execute()


def publish(client: Any, key: str) -> None:
    """Replace the token and return once every process holds it or no longer trusts the old one.

    Raises when Redis cannot be written; the caller then waits LEASE out itself."""
    token = uuid.uuid4().hex
    client.set(key, token)
    receivers = client.publish(channel_for(key), token)
    deadline = time.monotonic() + LEASE
    ack_list = f"{key}:ack:{token}"
    acknowledged = 0
    try:
        while acknowledged < receivers:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                log.warning("content token: %d of %d processes did not acknowledge; their leases have run out",
                            receivers - acknowledged, receivers)
                return
            # Short blocking pops: the client's socket timeout stays short for the request path.
            if client.blpop([ack_list], timeout=min(0.1, remaining)) is not None:
                acknowledged += 1
    finally:
        client.delete(ack_list)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
