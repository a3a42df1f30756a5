"""Pooled database connections are checked at checkout only when they have sat idle a while.

SQLAlchemy's `pool_pre_ping` pings on every checkout: a whole round trip to the database
before every submission, about a tenth of an intake request's CPU (bench/intake.py) and a
query more for PostgreSQL. A connection handed back moments ago is as alive as a ping could
show, so, like HikariCP's alive-bypass window, only a connection idle for longer than
`DB_PING_AFTER_IDLE_SECONDS` (default 1 s) is pinged; a dead one is replaced before anyone
sees it. The idle ones are the ones a database restart, a failover or a proxy's idle timeout
leaves dead. A connection that dies within the window fails its statement as it would have
failed a moment later anyway: SQLAlchemy then invalidates the whole pool, and the intake
path retries a disconnected submission once (tickets.services.accept_question).
"""
from __future__ import annotations

import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

def install(engine: Engine, ping_after_idle_seconds: float) -> None:
    """Ping `engine`'s connections at checkout when idle for more than `ping_after_idle_seconds`."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _mark_idle(dbapi_connection, connection_record) -> None:
        connection_record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
        idle_since = connection_record.info.get("idle_since")
        # A connection made for this checkout (no idle_since yet) was alive a moment ago.
        if idle_since is None or time.monotonic() - idle_since <= ping_after_idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            # The pool discards this connection and checks out (or makes) another.
            raise DisconnectionError(f"idle connection failed its ping: {exc}") from exc
