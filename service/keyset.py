"""Keyset pagination: a page starts after the last row of the page before, not at an OFFSET.

An OFFSET of N reads and throws away N rows, so a deep page of a million tickets costs a scan;
a keyset page reads only its own rows, through the index its ORDER BY uses, at any depth, and a
row inserted while someone pages never shifts a row onto two pages. The cursor is the sort key
of a boundary row, sent back in the query string as an opaque token. It only says where to
start: every query still carries its own WHERE (who may see what), so a forged cursor can move
a reader within what they may see, never beyond it. Design note: docs/design/lists-at-scale.md.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true

from service.extensions import db

T = TypeVar("T")
MAX_TOKEN = 400
MAX_TEXT = 300
INT_LIMIT = 2**63


@dataclass(frozen=True)
class Key:
    """One column of a sort order. `nullable` keys sort their NULLs last in either direction."""

    column: Any  # a column or SQL expression
    kind: type  # datetime, int, bool or str: what a cursor value must be
    descending: bool = False
    nullable: bool = False
    value: Callable[[Any], Any] | None = None  # the row's value; default: the attribute of that name

    def of(self, row: Any) -> Any:
        return self.value(row) if self.value is not None else getattr(row, self.column.key)

    def ordering(self, reverse: bool = False) -> Any:
        descending = self.descending != reverse
        term = self.column.desc() if descending else self.column.asc()
        if self.nullable:
            term = term.nulls_first() if reverse else term.nulls_last()
        return term


class Order:
    """A total order (the last key must be unique, e.g. the id) and the WHERE of a keyset page."""

    def __init__(self, *keys: Key) -> None:
        self.keys = keys

    def order_by(self, reverse: bool = False) -> list[Any]:
        return [key.ordering(reverse) for key in self.keys]

    def values(self, row: Any) -> tuple[Any, ...]:
        return tuple(key.of(row) for key in self.keys)

    def after(self, values: Sequence[Any]) -> ColumnElement[bool]:
        """Rows that come after a row with these sort values."""
        return self._beyond(values, forward=True)

    def before(self, values: Sequence[Any]) -> ColumnElement[bool]:
        """Rows that come before a row with these sort values."""
        return self._beyond(values, forward=False)

    def _beyond(self, values: Sequence[Any], forward: bool) -> ColumnElement[bool]:
        branches = []
        for i, (key, value) in enumerate(zip(self.keys, values)):
            equal = [_equal(k, v) for k, v in zip(self.keys[:i], values[:i])]
            branches.append(and_(*equal, _past(key, value, forward)))
        clause = or_(*branches)
        first, value = self.keys[0], values[0]
        if not first.nullable and first.kind is not bool:
            # The same rows, said so that the first key's index gives a range, not a full scan.
            later = first.descending == forward
            clause = and_(first.column <= value if later else first.column >= value, clause)
        return clause

    def encode(self, row: Any) -> str:
        """The cursor of a row: its sort values as URL-safe text."""
        raw = [v.isoformat() if isinstance(v, datetime) else v for v in self.values(row)]
        data = json.dumps(raw, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    def decode(self, token: str | None) -> tuple[Any, ...] | None:
        """The sort values in a cursor, or None when it is missing, malformed or not of this order."""
        if not token or len(token) > MAX_TOKEN:
            return None
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
            return None
        if not isinstance(raw, list) or len(raw) != len(self.keys):
            return None
        values = []
        for key, value in zip(self.keys, raw):
            parsed = _parse(key, value)
            if parsed is _INVALID:
                return None
            values.append(parsed)
        return tuple(values)


_INVALID = object()


def _parse(key: Key, value: Any) -> Any:
    if value is None:
        return None if key.nullable else _INVALID
    if key.kind is bool:
        return value if isinstance(value, bool) else _INVALID
    if key.kind is int:
        return value if isinstance(value, int) and not isinstance(value, bool) and -INT_LIMIT < value < INT_LIMIT else _INVALID
    if key.kind is str:
        return value if isinstance(value, str) and len(value) <= MAX_TEXT else _INVALID
    if key.kind is datetime and isinstance(value, str) and len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return _INVALID
        return moment if moment.tzinfo is None else _INVALID  # timestamps here are naive UTC
    return _INVALID


def _equal(key: Key, value: Any) -> ColumnElement[bool]:
    if value is None or key.kind is bool:  # SQL has no `< true`: booleans compare with IS
        return key.column.is_(value)
    return key.column == value


def _past(key: Key, value: Any, forward: bool) -> ColumnElement[bool]:
    """Strictly beyond `value` on this key alone, NULLs last (so nothing is after a NULL)."""
    if value is None:
        return false() if forward else key.column.is_not(None)
    later = key.descending == forward  # towards smaller values
    if key.kind is bool:
        beyond = key.column.is_(False) if later and value else key.column.is_(True) if not later and not value else false()
    else:
        beyond = key.column < value if later else key.column > value
    if key.nullable and forward:
        return or_(beyond, key.column.is_(None))
    return beyond


@dataclass
class Window(Generic[T]):
    """One page of rows and the cursors of its neighbours (None: there is none that way)."""

    rows: list[T]
    newer: str | None  # cursor for the page before (`before=`)
    older: str | None  # cursor for the page after (`after=`)
    number: int | None = None  # the page number, when reached by ?page=


def read_page(query: Select, order: Order, size: int, *, after: str | None = None,
              before: str | None = None, number: int = 1) -> Window:
    """One page of `query` (a select of one entity) in `order`: after a cursor, before one, or
    page `number` (OFFSET, for the first few pages only). A cursor that does not decode is
    ignored (the first page)."""
    start = order.decode(after)
    if start is not None:
        rows = fetch(query.where(order.after(start)), order.order_by(), limit=size + 1)
        more = len(rows) > size
        rows = rows[:size]
        return Window(rows, newer=order.encode(rows[0]) if rows else None,
                      older=order.encode(rows[-1]) if more else None)
    end = order.decode(before)
    if end is not None:
        rows = fetch(query.where(order.before(end)), order.order_by(reverse=True), limit=size + 1)
        if rows:
            more = len(rows) > size
            rows = rows[:size][::-1]
            return Window(rows, newer=order.encode(rows[0]) if more else None, older=order.encode(rows[-1]))
        number = 1  # nothing before it: the first page
    rows = fetch(query, order.order_by(), limit=size + 1, offset=(number - 1) * size)
    more = len(rows) > size
    rows = rows[:size]
    return Window(rows, newer=order.encode(rows[0]) if rows and number > 1 else None,
                  older=order.encode(rows[-1]) if more else None, number=number)


def fetch(query: Select, order_by: Sequence[Any], *, limit: int, offset: int = 0) -> list[Any]:
    """Rows of `query` (a select of one entity with an `id`) in order. The ids are sorted and
    paged first, then only those rows load: sorting whole rows, with their bodies and eager-loaded
    relations, spilled thousands of them to disk."""
    entity = query.column_descriptions[0]["entity"]
    ids = list(db.session.execute(
        query.with_only_columns(entity.id, maintain_column_froms=True)
        .order_by(*order_by).offset(offset).limit(limit)).scalars())
    if not ids:
        return []
    loaded = {row.id: row for row in db.session.execute(query.where(entity.id.in_(ids))).unique().scalars()}
    return [loaded[i] for i in ids if i in loaded]


def bounded_count(query: Select, cap: int) -> int:
    """How many rows `query` has, counting no further than cap + 1 (shown as "cap+")."""
    return db.session.execute(bounded_count_query(query, cap)).scalar_one()


def bounded_count_query(query: Select, cap: int) -> Select:
    limited = (query.with_only_columns(true().label("one"), maintain_column_froms=True)
               .order_by(None).limit(cap + 1).subquery())
    return select(func.count()).select_from(limited)


def count_text(count: int, cap: int) -> str:
    """1234 -> "1,234"; above the cap, where counting would mean a scan: "1,000+"."""
    return f"{cap:,}+" if count > cap else f"{count:,}"
