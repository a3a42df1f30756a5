"""Where a desk list page starts, and how far page numbers go.

The first pages are numbered (`?page=N`, an OFFSET: cheap while N is small); deeper pages are
reached by the Older/Newer links, which carry a keyset cursor (service/keyset.py) and cost the
same at any depth. Lists are counted no further than a cap, so a page number past the end is
known (and shows the last page) only while the count is exact.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from service.errors import BadRequest

# Counts stop here ("1,000+"): beyond it an exact number costs a scan and helps nobody.
COUNT_CAP = 1000


@dataclass(frozen=True)
class Position:
    number: int = 1
    after: str | None = None
    before: str | None = None


def page_number(raw: str | None) -> int:
    """`?page=`: non-numeric or below 1 means page 1 (never an error)."""
    return int(raw) if raw and raw.isdigit() and len(raw) < 7 and int(raw) > 0 else 1


def position(args: Mapping[str, str]) -> Position:
    """?page=, ?after=, ?before= as sent (a cursor wins over a page number)."""
    after, before = args.get("after") or None, args.get("before") or None
    number = 1 if after or before else page_number(args.get("page"))
    return Position(number=number, after=after, before=before)


def page_to_read(where_from: Position, total: int, size: int, cap: int | None = None) -> int:
    """The page number to read: past the end of an exactly counted list, its last page; past
    the numbered pages of a longer one, a BadRequest pointing at the Older link."""
    cap = COUNT_CAP if cap is None else cap
    if total <= cap:
        return min(where_from.number, max(1, -(-total // size)))
    max_page = max(1, cap // size)
    if where_from.number > max_page:
        raise BadRequest(f"Pages are numbered up to {max_page}; the Next (or Older) link at the foot of each "
                         "page goes further.")
    return where_from.number


def page_count(total: int, size: int, cap: int | None = None) -> int | None:
    """How many pages a list has, when its count is exact (None: "1,000+")."""
    cap = COUNT_CAP if cap is None else cap
    return max(1, -(-total // size)) if total <= cap else None
