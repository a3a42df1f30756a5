"""The content change log: who changed what, and the content version caches are keyed on."""
from __future__ import annotations

from sqlalchemy import func, select

from service.content.models import Article, ContentChange
from service.extensions import db
from service.staff.models import Staff, utcnow


def record_change(kind: str, ref_id: int, action: str, label: str, author: Staff | None) -> None:
    db.session.add(ContentChange(kind=kind, ref_id=ref_id, action=action, label=label[:200],
                                 staff_id=author.id if author is not None else None))


def content_version() -> str:
    """Changes whenever any content is saved or deleted, and when a scheduled article goes live.

    Built for ETags and cache keys: "<last change id>.<visible article count>" (the count moves
    when a scheduled publish time passes, which writes nothing).
    """
    last_change = db.session.execute(select(func.max(ContentChange.id))).scalar_one() or 0
    visible = db.session.execute(
        select(func.count()).select_from(Article).where(*visible_article())
    ).scalar_one()
    return f"{last_change}.{visible}"


def visible_article() -> tuple:
    """WHERE clauses for articles the public may see (published, publish time reached)."""
    return (Article.status == "published", Article.published_at <= utcnow())
