"""Has the broker lost its memory? A Redis without persistence comes back from a restart empty.

The relay leaves a marker key in the broker's database. Finding it gone means every task the
broker held (queued, reserved by a worker, waiting for a retry) went with it, so the relay
re-dispatches every undone event at once instead of waiting OUTBOX_REDISPATCH_AFTER_SECONDS.
The embedded broker is a SQLite file and keeps its messages, so it has no marker.
"""
from __future__ import annotations

import logging
import uuid
from functools import cache

import redis
from flask import current_app

log = logging.getLogger(__name__)

MARKER_KEY = "neurodesk:broker-marker"


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def _broker() -> redis.Redis | None:
    url = current_app.config.get("REDIS_URL")
    return _client(url) if url else None


def forgotten() -> bool:
    """True when the broker answers and the marker is not there (restarted empty, flushed, first run)."""
    client = _broker()
    if client is None:
        return False
    try:
        return not client.exists(MARKER_KEY)
    except redis.RedisError:
        return False  # down: nothing can be re-dispatched now; the next relay tick looks again


def remember() -> None:
    """Leave the marker, once every undone event is back in the broker."""
    client = _broker()
    if client is None:
        return
    try:
        client.set(MARKER_KEY, uuid.uuid4().hex)
    except redis.RedisError as exc:
        log.warning("broker marker not written: %s", type(exc).__name__)
