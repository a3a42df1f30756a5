"""Article and FAQ lists one page at a time, for the API: `limit`/`offset` for the first pages,
and a keyset cursor (`after`, service/keyset.py) that costs the same at any depth. Each page
says where the next one starts (`next_cursor`); the total stays exact (content tables hold
tens of thousands of rows at most, a count the database answers from an index).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from service import keyset
from service.content.faqs import FAQ_ORDER, faq_query
from service.content.services import ARTICLE_KEYS, article_list_query
from service.errors import BadRequest
from service.extensions import db


@dataclass(frozen=True)
class ListPage:
    items: list[Any]
    total: int
    next_cursor: str | None  # where the page after this one starts; None on the last page


def article_page(*, section: str | None, tag: str | None, search: str | None, order: str, limit: int,
                 offset: int = 0, after: str | None = None, status: str | None = None) -> ListPage:
    """Visible articles (or, for staff, `status`), filtered, one page in `order`."""
    query = article_list_query(section=section, tag=tag, search=search, order=order, status=status)
    if query is None:
        return ListPage([], 0, None)
    return _page(query, ARTICLE_KEYS[order], limit, offset, after)


def faq_page(*, topic: str | None, section: str | None, limit: int, offset: int = 0, after: str | None = None,
             status: str | None = None) -> ListPage:
    """FAQs in display order, one page."""
    query = faq_query(topic=topic, section=section, status=status)
    if query is None:
        return ListPage([], 0, None)
    return _page(query, FAQ_ORDER, limit, offset, after)


def _page(query: Select, order: keyset.Order, limit: int, offset: int, after: str | None) -> ListPage:
    start = order.decode(after) if after is not None else None
    if after is not None and start is None:
        raise BadRequest("Invalid after.", fields={"after": ["Use meta.next_cursor of the page before, unchanged."]},
                         code="invalid_query")
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    if start is not None:
        query = query.where(order.after(start))
    rows = keyset.fetch(query, order.order_by(), limit=limit + 1, offset=offset)
    more = len(rows) > limit
    rows = rows[:limit]
    return ListPage(rows, total, order.encode(rows[-1]) if more else None)


__all__ = ["ListPage", "article_page", "faq_page"]
