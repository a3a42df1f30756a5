"""The content change log: who changed what, and the content version caches are keyed on."""
from __future__ import annotations

from sqlalchemy import func, select

from service.audit.services import record
from service.content.models import Article, ContentChange
from service.extensions import db
from service.staff.models import Staff, utcnow

# Set on the session by record_change; freshness.py invalidates rendered pages after the commit.
CHANGED_FLAG = "neurodesk.content_changed"


def record_change(kind: str, ref_id: int, action: str, label: str, author: Staff | None) -> None:
    db.session.add(ContentChange(kind=kind, ref_id=ref_id, action=action, label=label[:200],
                                 staff_id=author.id if author is not None else None))
    db.session.info[CHANGED_FLAG] = True
    # The same edit in the append-only audit log, beside logins and ticket actions.
    record(f"{kind}.{action}", actor=author, target_type=kind, target_id=str(ref_id), label=label[:200])


def content_version() -> str:
    """Changes whenever any content is saved or deleted, and when a scheduled article goes live.

    Built for ETags and cache keys: "<last change id>.<visible article count>" (the count moves
    when a scheduled publish time passes, which writes nothing).
    """
    # One round trip (two scalar subqueries): without Redis this runs on every page view.
    last_change, visible = db.session.execute(select(
        select(func.max(ContentChange.id)).scalar_subquery(),
        select(func.count()).select_from(Article).where(*visible_article()).scalar_subquery(),
    )).one()
    return f"{last_change or 0}.{visible}"


def visible_article() -> tuple:
    """WHERE clauses for articles the public may see (published, publish time reached)."""
    return (Article.status == "published", Article.published_at <= utcnow())
