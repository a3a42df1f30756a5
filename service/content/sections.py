"""Sections (the site's topics pages) and tags: saving, listing, counting visible articles."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, update

from service.content.changes import record_change as _record_change
from service.content.changes import visible_article as _visible_article
from service.content.markdown import slugify
from service.content.models import Article, Faq, Section, Tag, article_tag
from service.content.validation import clean_section_fields, is_slug
from service.errors import Conflict, NotFound, ValidationFailed
from service.extensions import db
from service.staff.models import Staff, utcnow


def _section_by_slug(slug: str | None, field: str = "section") -> Section | None:
    if slug is None:
        return None
    section = db.session.execute(select(Section).where(Section.slug == slug)).scalar_one_or_none()
    if section is None:
        raise ValidationFailed(f"Unknown section {slug!r}.", fields={field: [f"No section {slug!r}."]})
    return section


def create_section(data: Mapping[str, Any], *, author: Staff | None = None) -> Section:
    """Fields: slug, title, topic (spine|brain|tos) required; description, position."""
    fields = clean_section_fields(data, partial=False)
    if db.session.execute(select(Section.id).where(Section.slug == fields["slug"])).first():
        raise Conflict(f"A section with the slug {fields['slug']!r} already exists.", fields={"slug": ["Already in use."]})
    section = Section(**{"description": "", "position": 0, **fields})
    db.session.add(section)
    db.session.flush()
    _record_change("section", section.id, "created", section.slug, author)
    return section


def update_section(section: Section, data: Mapping[str, Any], *, author: Staff | None = None) -> Section:
    fields = clean_section_fields(data, partial=True)
    if "slug" in fields and fields["slug"] != section.slug:
        if db.session.execute(select(Section.id).where(Section.slug == fields["slug"])).first():
            raise Conflict(f"A section with the slug {fields['slug']!r} already exists.", fields={"slug": ["Already in use."]})
    changed = False
    for name, value in fields.items():
        if getattr(section, name) != value:
            setattr(section, name, value)
            changed = True
    if changed:
        section.updated_at = utcnow()
        db.session.flush()
        _record_change("section", section.id, "updated", section.slug, author)
    return section


def delete_section(section: Section, *, author: Staff | None = None) -> None:
    """Delete a section; its articles and FAQs stay, without a section."""
    db.session.execute(update(Article).where(Article.section_id == section.id).values(section_id=None))
    db.session.execute(update(Faq).where(Faq.section_id == section.id).values(section_id=None))
    _record_change("section", section.id, "deleted", section.slug, author)
    db.session.delete(section)
    db.session.flush()


def list_sections(topic: str | None = None) -> list[Section]:
    query = select(Section).order_by(Section.position, Section.title)
    if topic is not None:
        query = query.where(Section.topic == topic)
    return list(db.session.execute(query).scalars())


def get_section(slug: str) -> Section:
    """Raises NotFound."""
    section = None
    if is_slug(slug):
        section = db.session.execute(select(Section).where(Section.slug == slug)).scalar_one_or_none()
    if section is None:
        raise NotFound("No such section.")
    return section


def section_article_counts() -> dict[int, int]:
    """Visible articles per section id."""
    rows = db.session.execute(
        select(Article.section_id, func.count()).where(*_visible_article()).group_by(Article.section_id)
    )
    return {section_id: count for section_id, count in rows if section_id is not None}


@dataclass(frozen=True)
class TagCount:
    slug: str
    name: str
    article_count: int


def list_tags(*, include_unused: bool = False) -> list[TagCount]:
    """Tags with their number of visible articles, most used first (unused ones hidden by default)."""
    visible = (
        select(article_tag.c.tag_id, func.count().label("n"))
        .join(Article, Article.id == article_tag.c.article_id)
        .where(*_visible_article())
        .group_by(article_tag.c.tag_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Tag.slug, Tag.name, func.coalesce(visible.c.n, 0))
        .outerjoin(visible, visible.c.tag_id == Tag.id)
        .order_by(func.coalesce(visible.c.n, 0).desc(), Tag.slug)
    )
    return [TagCount(slug, name, count) for slug, name, count in rows if include_unused or count > 0]


def get_tag(slug: str) -> Tag:
    """Raises NotFound."""
    tag = None
    if is_slug(slug):
        tag = db.session.execute(select(Tag).where(Tag.slug == slug)).scalar_one_or_none()
    if tag is None:
        raise NotFound("No such tag.")
    return tag


def find_or_create_section_by_title(title: str, topic: str, *, author: Staff | None = None) -> Section:
    """For imports that name a section by title: match by title (any case) or slug, else create."""
    section = db.session.execute(
        select(Section).where(or_(func.lower(Section.title) == title.strip().lower(), Section.slug == slugify(title)))
    ).scalars().first()
    if section is None:
        position = (db.session.execute(select(func.max(Section.position))).scalar_one() or 0) + 1
        section = create_section({"slug": slugify(title), "title": title.strip(), "topic": topic,
                                  "position": position}, author=author)
    return section


def tags_by_slug(slugs: Sequence[str]) -> dict[str, Tag]:
    return {t.slug: t for t in db.session.execute(select(Tag).where(Tag.slug.in_(list(slugs)))).scalars()}
