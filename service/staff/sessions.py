"""Desk sessions kept on the server: what ends them, and when they end by themselves.

A staff login puts a random token in Flask's signed cookie and a record in the session store
(staff/session_store.py). Every desk request looks the record up (desk/auth.py); no record, no
login. So logout, revocation, a password change, deactivation and an MFA reset
(`end_every_session`) end a session everywhere at once, copied cookies included. A session
also ends DESK_IDLE_MINUTES after its last request and PERMANENT_SESSION_LIFETIME after login.

Visitors' cookies stay as they are: only the staff login has a server-side record, so public
pages and the patient intake (CSRF in the cookie, page_replay.py) do no extra work.

Time comes from `now()`, the extension's clock: tests move it instead of sleeping.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask, current_app

from service.staff.models import Staff, utcnow
from service.staff.session_store import DatabaseStore, RedisStore, SessionRecord, SessionStore

EXTENSION = "staff_sessions"
# Last-seen is written at most this often: a page view costs a read, not a write.
TOUCH_EVERY = timedelta(minutes=1)
TOKEN_MAX = 100


@dataclass
class StaffSessions:
    store: SessionStore
    idle: timedelta
    lifetime: timedelta
    clock: Callable[[], datetime] = field(default=utcnow)


def init_app(app: Flask) -> None:
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    url = app.config.get("REDIS_URL")
    store = RedisStore(url, lifetime=lifetime) if url else DatabaseStore()
    idle = timedelta(minutes=float(app.config["DESK_IDLE_MINUTES"]))
    app.extensions[EXTENSION] = StaffSessions(store=store, idle=idle, lifetime=lifetime)


def _sessions() -> StaffSessions:
    return current_app.extensions[EXTENSION]


def now() -> datetime:
    """The time for every session rule (naive UTC)."""
    return _sessions().clock()


def idle_minutes() -> float:
    return _sessions().idle.total_seconds() / 60


def key_of(token: str) -> str:
    """What the store keeps for a cookie's token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _expires_after(record: SessionRecord, when: datetime) -> timedelta:
    sessions = _sessions()
    # A little past the idle limit: the store forgets it even if nobody asks again.
    return min(sessions.idle + TOUCH_EVERY, record.created_at + sessions.lifetime - when)


def _is_over(record: SessionRecord, when: datetime) -> bool:
    sessions = _sessions()
    return when - record.created_at >= sessions.lifetime or when - record.last_seen_at >= sessions.idle


def open_session(staff: Staff, *, ip: str | None, user_agent: str | None) -> str:
    """Start a session for `staff` on one browser; the token goes in that browser's cookie.

    With the database store the record joins the caller's transaction: commit it.
    """
    sessions, when = _sessions(), now()
    # Ended sessions of anyone go at each login: the table stays as small as the staff list.
    sessions.store.sweep(started_before=when - sessions.lifetime, seen_before=when - sessions.idle)
    token = secrets.token_urlsafe(32)
    record = SessionRecord(key=key_of(token), staff_id=staff.id, created_at=when, last_seen_at=when,
                           ip=(ip or "")[:64] or None, user_agent=(user_agent or "")[:200] or None)
    sessions.store.add(record, expire_after=_expires_after(record, when))
    return token


def live_session(token: object) -> SessionRecord | None:
    """The live session this cookie token names, or None (unknown, revoked, idle or too old).

    Notes the request as the session's last activity, at most once a TOUCH_EVERY.
    """
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX:
        return None
    record = _sessions().store.get(key_of(token))
    when = now()
    if record is None or _is_over(record, when):
        return None
    if when - record.last_seen_at >= TOUCH_EVERY:
        _sessions().store.touch(record, when, expire_after=_expires_after(record, when))
    return record


def end_session(token: object) -> SessionRecord | None:
    """End the session of this cookie token (logout); the ended record, or None if there was none."""
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX:
        return None
    record = _sessions().store.get(key_of(token))
    if record is not None:
        _sessions().store.remove(record)
    return record


def end_session_of(staff: Staff, key: str) -> SessionRecord | None:
    """End one of `staff`'s own sessions by its key; None when it is not theirs (or gone)."""
    record = _sessions().store.get(key)
    if record is None or record.staff_id != staff.id:
        return None
    _sessions().store.remove(record)
    return record


def end_every_session(staff_id: int) -> int:
    """End every session of one staff member, on every browser; how many there were.

    For a password change, deactivation, "log out everywhere" and an MFA reset. With the
    database store this joins the caller's transaction (commit it with the change it goes with).
    """
    return _sessions().store.remove_all(staff_id)


def sessions_of(staff: Staff) -> list[SessionRecord]:
    """`staff`'s live sessions, the most recently active first."""
    when = now()
    live = [r for r in _sessions().store.of_staff(staff.id) if not _is_over(r, when)]
    return sorted(live, key=lambda r: (r.last_seen_at, r.created_at), reverse=True)
