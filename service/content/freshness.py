"""Is the content this process rendered still current? One cheap check per request.

Public pages and API reads are rendered once per content version and kept in memory
(page_cache.py). What makes that safe is this module: every request asks "which content
generation is live?" before it may reuse anything.

With REDIS_URL, the answer is a random token under one Redis key per database. Each process
hears it change over pub/sub and keeps it in memory under a lease (token_watch.py); while the
lease is not held (a new process, a lost connection) each request reads it with a GET. Every
commit that recorded a content change replaces the token AFTER the commit returns, in the
same request, and waits until every process has acknowledged it (or its lease has run out)
before the editor's response is sent (an SQLAlchemy `after_commit` hook, so the API, the
editor, imports and the CLI are all covered without each remembering to do it).

Consistency argument ("never stale"):
  * A request that reads the new token builds a new generation from the database. The token
    changes only after the commit, so that database read sees the committed content.
  * A request that reads the old token may serve the old pages: it began before the token
    changed, i.e. before the editor's publish request had answered. So an editor who publishes
    and then loads the page (on any worker, any host sharing the Redis and database) always
    sees the change, and so does anyone whose request starts after the publish has answered.
  * The token is random, not a counter: a Redis restart that loses the key cannot bring back
    a value some process still has cached. A missing key is re-created (SET NX) with a fresh
    random token, which no process has seen.
  * Scheduled articles go live without any write. Each generation therefore expires at the
    next scheduled publish time (one query when the generation is built) and is rebuilt then.
  * Without Redis (the embedded default), or while Redis is unreachable, the check is the
    database itself: content_version() (one round trip), compared with the generation's.

Writes that bypass the app (psql, a restored backup) do not touch the token: run
`flask content refresh-caches` afterwards (cli.py), or restart the web processes.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from service.content.changes import CHANGED_FLAG, content_version
from service.content.models import Article
from service.content.token_watch import LEASE, TokenWatch, publish, read_or_create
from service.extensions import db
from service.staff.models import utcnow

log = logging.getLogger(__name__)

EXTENSION = "neurodesk.freshness"
# Stored renders (and ETags) per generation per process: bounded so odd URLs (?page=N, API
# filters) cannot grow memory without end (~25 KB a page: ~25 MB at most per process).
MAX_ENTRIES = 1000


@dataclass(eq=False)
class Generation:
    """Everything rendered while one content version was live, in this process."""

    token: str | None          # the Redis token it was built under; None: checked against the DB
    version: str               # content_version() from the DB: ETags are built from it
    expires_at: float | None   # epoch seconds of the next scheduled publish
    entries: dict[Any, Any] = field(default_factory=dict)

    def live(self, now: float) -> bool:
        return self.expires_at is None or now < self.expires_at

    def remember(self, key: Any, value: Any) -> None:
        entries = self.entries
        while len(entries) >= MAX_ENTRIES:
            # Oldest first (dicts keep insertion order). Threads may race here: losing a
            # KeyError race only means another thread evicted that entry already.
            try:
                entries.pop(next(iter(entries)), None)
            except (StopIteration, RuntimeError):
                break
        entries[key] = value


class RedisToken:
    """The shared content token in Redis, read on one kept-open connection per thread."""

    def __init__(self, url: str, key: str) -> None:
        import redis

        self.url = url
        self.key = key
        self._watch: TokenWatch | None = None
        # Short timeouts: a slow Redis must degrade to the database check, not stall pages.
        self.client = redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
        self._local = threading.local()
        self._get = None

    def _connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self.client.connection_pool.make_connection()
            conn.connect()
            self._local.conn = conn
            self._get = self._get or conn.pack_command("GET", self.key)
        return conn

    def read(self) -> str | None:
        """The current token, or None when Redis cannot be asked (the caller checks the DB)."""
        watch = self._watch
        if watch is None or watch.pid != os.getpid():
            watch = self._watch = TokenWatch.for_process(self.client, self.url, self.key)
        token = watch.trusted_token()
        if token is not None:
            return token  # heard over pub/sub, within its lease (token_watch.py): no round trip
        try:
            conn = self._connection()
            # The low-level connection skips the pool's per-call bookkeeping (~30 us -> ~8 us of
            # CPU): this runs on every page view while the watch is not (yet) connected.
            conn.send_packed_command(self._get, check_health=False)
            value = conn.read_response()
            if value is None:
                return read_or_create(self.client, self.key)
            return value.decode() if isinstance(value, bytes) else value
        except Exception:  # any Redis trouble: fall back to the database check
            log.warning("content token unreadable; checking the database", exc_info=True)
            self._drop_connection()
            return None

    def replace(self) -> None:
        """A new random token: every process's rendered pages are now out of date."""
        try:
            publish(self.client, self.key)
        except Exception:
            # Retry once by deleting (readers re-create a fresh token); if Redis is truly down,
            # readers cannot reach it either and fall back to the database check, once the
            # leases they hold have run out: wait that long before the editor sees "saved".
            log.error("could not replace the content token", exc_info=True)
            try:
                self.client.delete(self.key)
            except Exception:
                log.error("could not delete the content token either", exc_info=True)
            time.sleep(LEASE)

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.disconnect()
            except Exception:
                pass


class Freshness:
    """Per-app state: the live generation and how to check it."""

    def __init__(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL")
        database = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
        # One key per database: processes serving the same content share it, others never do.
        key = "neurodesk:content-token:" + hashlib.sha256(database.encode()).hexdigest()[:16]
        self.token = RedisToken(url, key) if url else None
        self.generation: Generation | None = None

    def current(self) -> Generation:
        now = time.time()
        generation = self.generation
        token = self.token.read() if self.token is not None else None
        if token is not None and generation is not None and generation.token == token and generation.live(now):
            return generation  # the common case: one Redis GET, no database round trip
        version = content_version()
        if token is None and generation is not None and generation.token is None \
                and generation.version == version and generation.live(now):
            return generation
        generation = Generation(token=token, version=version, expires_at=_next_scheduled_publish())
        self.generation = generation
        return generation

    def content_changed(self) -> None:
        self.generation = None
        if self.token is not None:
            self.token.replace()


def _next_scheduled_publish() -> float | None:
    when = db.session.execute(
        select(func.min(Article.published_at)).where(Article.status == "published", Article.published_at > utcnow())
    ).scalar_one_or_none()
    if when is None:
        return None
    from calendar import timegm

    return timegm(when.timetuple()) + when.microsecond / 1e6  # naive UTC -> epoch


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Freshness(app)


def freshness() -> Freshness:
    state = current_app.extensions.get(EXTENSION)
    if state is None:  # an app built without init_app (a bare test app): make it now
        state = current_app.extensions[EXTENSION] = Freshness(current_app)
    return state


def current_generation() -> Generation:
    """The live content generation for this request (see the module docstring)."""
    return freshness().current()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(CHANGED_FLAG, False):
        try:
            freshness().content_changed()
        except RuntimeError:  # no app context (a script's own session): nothing cached to drop
            pass


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    # Only the outermost rollback forgets the change; a savepoint rollback keeps it (over-
    # invalidating is harmless, missing an invalidation is not).
    if previous_transaction.parent is None:
        session.info.pop(CHANGED_FLAG, None)
