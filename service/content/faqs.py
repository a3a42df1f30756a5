"""FAQs: saving (Markdown answer rendered once), listing in display order, grouping by section.
A FAQ is public when status == "published"."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from service import keyset
from service.content.changes import record_change as _record_change
from service.content.markdown import render_markdown
from service.content.models import Article, Faq, Section
from service.content.sections import _section_by_slug, list_sections
from service.content.validation import clean_faq_fields, is_slug
from service.errors import NotFound, ValidationFailed
from service.extensions import db
from service.staff.models import Staff, utcnow

# Display order: topic, then section order (FAQs without a section last), then position.
FAQ_ORDER = keyset.Order(
    keyset.Key(Faq.topic, str),
    keyset.Key(Section.position, int, nullable=True,
               value=lambda faq: faq.section.position if faq.section is not None else None),
    keyset.Key(Faq.position, int),
    keyset.Key(Faq.id, int),
)


def _article_by_slug(slug: str | None) -> Article | None:
    if slug is None:
        return None
    article = db.session.execute(select(Article).where(Article.slug == slug)).scalar_one_or_none()
    if article is None:
        raise ValidationFailed(f"Unknown article {slug!r}.", fields={"learn_more_article": [f"No article {slug!r}."]})
    return article


def _apply_faq_fields(faq: Faq, fields: dict[str, Any]) -> bool:
    changed = False
    if "answer_md" in fields and (fields["answer_md"] != faq.answer_md or not faq.answer_html):
        faq.answer_html = render_markdown(fields["answer_md"])
    for name in ("question", "answer_md", "topic", "learn_more_text", "position", "status"):
        if name in fields and getattr(faq, name) != fields[name]:
            setattr(faq, name, fields[name])
            changed = True
    if "section" in fields:
        section = _section_by_slug(fields["section"])
        if faq.section is not section:
            faq.section = section
            changed = True
    if "learn_more_article" in fields:
        article = _article_by_slug(fields["learn_more_article"])
        if faq.learn_more_article is not article:
            faq.learn_more_article = article
            changed = True
    return changed


def create_faq(data: Mapping[str, Any], *, author: Staff | None = None) -> Faq:
    """Fields: question, answer_md (or answer), topic required; section (slug), learn_more_article
    (slug), learn_more_text, position, status (published by default)."""
    fields = clean_faq_fields(data, partial=False)
    faq = Faq(learn_more_text="", position=0, status="published", version=1, answer_html="")
    with db.session.no_autoflush:
        _apply_faq_fields(faq, fields)
        faq.created_at = faq.updated_at = utcnow()
        db.session.add(faq)
    db.session.flush()
    _record_change("faq", faq.id, "created", faq.question, author)
    return faq


def update_faq(faq: Faq, data: Mapping[str, Any], *, author: Staff | None = None) -> Faq:
    """Partial update; bumps version when anything changed."""
    fields = clean_faq_fields(data, partial=True)
    if _apply_faq_fields(faq, fields):
        faq.version += 1
        faq.updated_at = utcnow()
        db.session.flush()
        _record_change("faq", faq.id, "updated", faq.question, author)
    return faq


def delete_faq(faq: Faq, *, author: Staff | None = None) -> None:
    _record_change("faq", faq.id, "deleted", faq.question, author)
    db.session.delete(faq)
    db.session.flush()


def get_faq(faq_id: int, *, include_drafts: bool = False) -> Faq:
    """Raises NotFound (also for a draft unless include_drafts)."""
    faq = db.session.get(Faq, faq_id) if 0 < faq_id < 2**31 else None
    if faq is None or (not include_drafts and not faq.is_visible):
        raise NotFound("No such FAQ.")
    return faq


def faq_query(*, topic: str | None = None, section: str | None = None, status: str | None = None):
    """FAQs to list (unordered), or None when the section slug is malformed. status None =
    public (published only); staff may pass "draft", "published" or "all"."""
    query = select(Faq)
    if status is None or status == "published":
        query = query.where(Faq.status == "published")
    elif status == "draft":
        query = query.where(Faq.status == "draft")
    if topic is not None:
        query = query.where(Faq.topic == topic)
    if section is not None:
        if not is_slug(section):
            return None
        return query.join(Section, Faq.section_id == Section.id).where(Section.slug == section)
    return query.outerjoin(Section, Faq.section_id == Section.id)


def list_faqs(
    topic: str | None = None,
    section: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    *,
    status: str | None = None,
) -> tuple[list[Faq], int]:
    """FAQs in display order: (items, total). status None = public (published only);
    staff may pass "draft", "published" or "all"."""
    query = faq_query(topic=topic, section=section, status=status)
    if query is None:
        return [], 0
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    query = query.order_by(*FAQ_ORDER.order_by())
    if limit is not None:
        query = query.limit(limit)
    items = list(db.session.execute(query.offset(offset)).unique().scalars())
    return items, total


def faqs_grouped_by_section() -> list[tuple[Section | None, list[Faq]]]:
    """Visible FAQs grouped by section in section order; FAQs without a section come last (None)."""
    groups: dict[int | None, list[Faq]] = {}
    for faq in list_faqs()[0]:
        groups.setdefault(faq.section_id, []).append(faq)
    result: list[tuple[Section | None, list[Faq]]] = []
    for section in list_sections():
        if section.id in groups:
            result.append((section, groups.pop(section.id)))
    if None in groups:
        result.append((None, groups.pop(None)))
    return result


def faq_by_question(question: str) -> Faq | None:
    return db.session.execute(select(Faq).where(Faq.question == question.strip())).scalars().first()
