"""Where desk sessions are kept: Redis when REDIS_URL is set, the database otherwise.

Both stores hold the same record and answer the same questions; the rules (lifetimes, who
may end what) are in staff/sessions.py. Records are keyed by the SHA-256 of the cookie's token.
The database store writes in the caller's transaction (a logout and its audit event commit
together), except `touch`, which is bookkeeping and commits on a connection of its own so a
plain page view never has to. The Redis store acts at once and lets Redis expire what is idle.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import redis
from sqlalchemy import delete, insert, select, update

from service.errors import ServiceError
from service.extensions import db
from service.staff.models import StaffSession


@dataclass(frozen=True)
class SessionRecord:
    key: str
    staff_id: int
    created_at: datetime
    last_seen_at: datetime
    ip: str | None
    user_agent: str | None


class SessionStoreUnavailable(ServiceError):
    """The store cannot be reached: nobody can be signed in (fail closed), so the desk answers 503."""

    status = 503
    code = "session_store_unavailable"


class SessionStore(Protocol):
    def add(self, record: SessionRecord, *, expire_after: timedelta) -> None: ...
    def get(self, key: str) -> SessionRecord | None: ...
    def touch(self, record: SessionRecord, when: datetime, *, expire_after: timedelta) -> None: ...
    def remove(self, record: SessionRecord) -> None: ...
    def remove_all(self, staff_id: int) -> int: ...
    def of_staff(self, staff_id: int) -> list[SessionRecord]: ...
    def sweep(self, *, started_before: datetime, seen_before: datetime) -> None: ...


class DatabaseStore:
    table = StaffSession.__table__

    def add(self, record: SessionRecord, *, expire_after: timedelta) -> None:
        db.session.execute(insert(self.table).values(**record.__dict__))

    def get(self, key: str) -> SessionRecord | None:
        # Core rows, not ORM objects: the identity map must never answer for a deleted session.
        row = db.session.execute(select(self.table).where(self.table.c.key == key)).one_or_none()
        return SessionRecord(**row._mapping) if row is not None else None

    def touch(self, record: SessionRecord, when: datetime, *, expire_after: timedelta) -> None:
        with db.engine.begin() as connection:
            connection.execute(update(self.table).where(self.table.c.key == record.key).values(last_seen_at=when))

    def remove(self, record: SessionRecord) -> None:
        db.session.execute(delete(self.table).where(self.table.c.key == record.key))

    def remove_all(self, staff_id: int) -> int:
        return db.session.execute(delete(self.table).where(self.table.c.staff_id == staff_id)).rowcount

    def of_staff(self, staff_id: int) -> list[SessionRecord]:
        rows = db.session.execute(select(self.table).where(self.table.c.staff_id == staff_id))
        return [SessionRecord(**row._mapping) for row in rows]

    def sweep(self, *, started_before: datetime, seen_before: datetime) -> None:
        db.session.execute(delete(self.table).where(
            (self.table.c.created_at < started_before) | (self.table.c.last_seen_at < seen_before)))


# Set last_seen only on a session that still exists: a plain HSET after a revocation would
# bring back a bare hash with no owner and no expiry.
_TOUCH = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'last_seen_at', ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
# Every session of one person, and the set naming them, in one step: a session opened while a
# revocation runs is either ended by it or not yet named by the set, never half of each.
_REMOVE_ALL = """
local keys = redis.call('SMEMBERS', KEYS[1])
for _, key in ipairs(keys) do redis.call('DEL', ARGV[1] .. key) end
redis.call('DEL', KEYS[1])
return #keys
"""


class RedisStore:
    prefix = "neurodesk:staff-session:"
    index_prefix = "neurodesk:staff-sessions:"

    def __init__(self, url: str, *, lifetime: timedelta) -> None:
        # The set naming a person's sessions lives as long as their newest session can.
        self.index_lifetime = lifetime
        self.redis = redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=2, socket_timeout=2)
        self._touch = self.redis.register_script(_TOUCH)
        self._remove_all = self.redis.register_script(_REMOVE_ALL)

    def _index(self, staff_id: int) -> str:
        return f"{self.index_prefix}{staff_id}"

    def add(self, record: SessionRecord, *, expire_after: timedelta) -> None:
        fields = {"staff_id": record.staff_id, "created_at": record.created_at.isoformat(),
                  "last_seen_at": record.last_seen_at.isoformat(),
                  "ip": record.ip or "", "user_agent": record.user_agent or ""}
        with _reachable():
            pipe = self.redis.pipeline()
            pipe.hset(self.prefix + record.key, mapping=fields)
            pipe.expire(self.prefix + record.key, _seconds(expire_after))
            pipe.sadd(self._index(record.staff_id), record.key)
            pipe.expire(self._index(record.staff_id), _seconds(self.index_lifetime))
            pipe.execute()

    def get(self, key: str) -> SessionRecord | None:
        with _reachable():
            fields = self.redis.hgetall(self.prefix + key)
        return self._parse(key, fields)

    def touch(self, record: SessionRecord, when: datetime, *, expire_after: timedelta) -> None:
        with _reachable():
            self._touch(keys=[self.prefix + record.key], args=[when.isoformat(), _seconds(expire_after)])

    def remove(self, record: SessionRecord) -> None:
        with _reachable():
            pipe = self.redis.pipeline()
            pipe.delete(self.prefix + record.key)
            pipe.srem(self._index(record.staff_id), record.key)
            pipe.execute()

    def remove_all(self, staff_id: int) -> int:
        with _reachable():
            return int(self._remove_all(keys=[self._index(staff_id)], args=[self.prefix]))

    def of_staff(self, staff_id: int) -> list[SessionRecord]:
        with _reachable():
            keys = sorted(self.redis.smembers(self._index(staff_id)))
            pipe = self.redis.pipeline()
            for key in keys:
                pipe.hgetall(self.prefix + key)
            found = dict(zip(keys, pipe.execute(), strict=True))
            gone = [key for key, fields in found.items() if not fields]
            if gone:  # expired by Redis: drop them from the set too
                self.redis.srem(self._index(staff_id), *gone)
        return [r for key, fields in found.items() if (r := self._parse(key, fields)) is not None]

    def sweep(self, *, started_before: datetime, seen_before: datetime) -> None:
        """Nothing to do: Redis expires every session by itself."""

    @staticmethod
    def _parse(key: str, fields: dict[str, str]) -> SessionRecord | None:
        try:
            return SessionRecord(
                key=key, staff_id=int(fields["staff_id"]),
                created_at=datetime.fromisoformat(fields["created_at"]),
                last_seen_at=datetime.fromisoformat(fields["last_seen_at"]),
                ip=fields.get("ip") or None, user_agent=fields.get("user_agent") or None,
            )
        except (KeyError, ValueError):
            return None  # absent, or not a whole record: no session


def _seconds(duration: timedelta) -> int:
    return max(1, int(duration.total_seconds()))


@contextmanager
def _reachable() -> Iterator[None]:
    """Turn any Redis failure into SessionStoreUnavailable (a 503 page, nobody signed in)."""
    try:
        yield
    except redis.RedisError as exc:
        raise SessionStoreUnavailable("Signing in is unavailable for a moment: please try again shortly.") from exc
