"""The CMS rules, in one place to import from: articles (revisions, slug history, scheduling)
live here; sections/tags (sections.py), FAQs (faqs.py) and the change log (changes.py) are
re-exported so callers need only `from service.content import services`. No HTTP here; the
caller commits.

Visibility: an article is public when status == "published" and published_at <= now (a future
published_at means scheduled). A FAQ is public when status == "published". Drafts are never
returned by the public query functions below.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update

from service import keyset
from service.content.changes import content_version
from service.content.changes import record_change as _record_change
from service.content.changes import visible_article as _visible_article
from service.content.faqs import (
    FAQ_ORDER,
    create_faq,
    delete_faq,
    faq_by_question,
    faq_query,
    faqs_grouped_by_section,
    get_faq,
    list_faqs,
    update_faq,
)
from service.content.markdown import render_markdown
from service.content.models import Article, ArticleRevision, Faq, Section, SlugRedirect, Tag, article_tag
from service.content.search import SearchHit, search_content
from service.content.sections import (
    TagCount,
    _section_by_slug,
    create_section,
    delete_section,
    find_or_create_section_by_title,
    get_section,
    get_tag,
    list_sections,
    list_tags,
    section_article_counts,
    tags_by_slug,
    update_section,
)
from service.content.validation import SLUG_MAX, clean_article_fields, is_slug
from service.errors import Conflict, NotFound, ServiceError, ValidationFailed
from service.extensions import db
from service.staff.models import Staff, utcnow

__all__ = [
    "ArticleMoved", "SearchHit", "content_version",
    "create_article", "update_article", "publish_article", "schedule_article", "unpublish_article",
    "rollback_article", "delete_article", "list_revisions", "get_article", "get_published_article",
    "published_articles", "articles_for_tag", "related_faqs",
    "create_section", "update_section", "delete_section", "list_sections", "get_section",
    "list_tags", "get_tag",
    "create_faq", "update_faq", "delete_faq", "get_faq", "list_faqs", "faqs_grouped_by_section",
    "faq_query", "FAQ_ORDER", "ARTICLE_KEYS", "article_list_query",
    "search", "section_article_counts", "TagCount", "find_or_create_section_by_title",
    "faq_by_question", "article_by_slug_or_none", "tags_by_slug", "NotFound",
]

ARTICLE_ORDERS = ("-published_at", "title")
ARTICLE_KEYS = {
    "-published_at": keyset.Order(
        keyset.Key(Article.published_at, datetime, descending=True, nullable=True),  # drafts (staff) last
        keyset.Key(Article.id, int, descending=True)),
    "title": keyset.Order(
        keyset.Key(func.lower(Article.title), str, value=lambda article: article.title_key),
        keyset.Key(Article.id, int)),
}


class ArticleMoved(ServiceError):
    """The slug asked for is an article's former slug: the edge answers 301 to `slug`."""

    status = 301
    code = "moved_permanently"

    def __init__(self, slug: str):
        super().__init__(f"This article moved to {slug!r}.")
        self.slug = slug


# --------------------------------------------------------------------------- articles: writes

def tag_name_from_slug(slug: str) -> str:
    """A readable default name for a tag created on demand: "back-pain" -> "Back pain"."""
    return slug.replace("-", " ").capitalize()


def _tags_for(wanted: Mapping[str, str | None]) -> list[Tag]:
    """Existing tags by slug, creating the missing ones; a given name renames an existing tag."""
    if not wanted:
        return []
    existing = {t.slug: t for t in db.session.execute(select(Tag).where(Tag.slug.in_(list(wanted)))).scalars()}
    tags = []
    for slug, name in wanted.items():
        tag = existing.get(slug)
        if tag is None:
            tag = Tag(slug=slug, name=name or tag_name_from_slug(slug))
            db.session.add(tag)
        elif name and tag.name != name:
            tag.name = name
        tags.append(tag)
    return sorted(tags, key=lambda t: t.slug)


def _claim_slug(slug: str, article: Article | None) -> None:
    """Make `slug` available to `article`: 409 if another live article has it; drop a redirect
    that would otherwise shadow it (a live slug always wins over an old one)."""
    owner = db.session.execute(select(Article).where(Article.slug == slug)).scalar_one_or_none()
    if owner is not None and owner is not article:
        raise Conflict(f"An article with the slug {slug!r} already exists.", fields={"slug": ["Already in use."]})
    db.session.execute(delete(SlugRedirect).where(SlugRedirect.old_slug == slug))


def _remember_old_slug(article: Article, old_slug: str) -> None:
    redirect = db.session.execute(select(SlugRedirect).where(SlugRedirect.old_slug == old_slug)).scalar_one_or_none()
    if redirect is None:
        db.session.add(SlugRedirect(old_slug=old_slug, article_id=article.id))
    else:
        redirect.article_id = article.id


def _snapshot(article: Article, note: str, author: Staff | None) -> ArticleRevision:
    revision = ArticleRevision(
        article_id=article.id, number=article.version, title=article.title, slug=article.slug,
        summary=article.summary, body_md=article.body_md, seo_description=article.seo_description,
        section_id=article.section_id, tag_slugs=" ".join(t.slug for t in article.tags),
        status=article.status, published_at=article.published_at, note=note[:200],
        author_id=author.id if author is not None else None,
    )
    db.session.add(revision)
    return revision


def _apply_article_fields(article: Article, fields: dict[str, Any]) -> bool:
    """Set the given fields; True when anything changed."""
    changed = False

    def put(name: str, value: Any) -> None:
        nonlocal changed
        if getattr(article, name) != value:
            setattr(article, name, value)
            changed = True

    for name in ("title", "summary", "seo_description"):
        if name in fields:
            put(name, fields[name])
    if "body_md" in fields and (fields["body_md"] != article.body_md or not article.body_html):
        put("body_md", fields["body_md"])
        article.body_html = render_markdown(article.body_md)
    if "section" in fields:
        section = _section_by_slug(fields["section"])
        if article.section is not section:
            article.section = section
            changed = True
    if "tags" in fields:
        tags = _tags_for(fields["tags"])
        if [t.slug for t in article.tags] != [t.slug for t in tags]:
            article.tags = tags
            changed = True
    if "status" in fields:
        becomes_published = fields["status"] == "published" and article.status != "published"
        put("status", fields["status"])
        if becomes_published and "published_at" not in fields:
            put("published_at", utcnow())
    if "published_at" in fields:
        put("published_at", fields["published_at"])
    if article.status == "published" and article.published_at is None:
        put("published_at", utcnow())
    return changed


def create_article(data: Mapping[str, Any], *, author: Staff | None = None) -> Article:
    """Create an article (draft unless status="published") with revision 1.

    Fields: slug, title (required), summary, body_md (or body), seo_description, section (slug),
    tags (slugs, created on demand), status (draft|published), published_at (future = scheduled), note.
    Raises ValidationFailed (422) or Conflict (409, slug taken).
    """
    fields = clean_article_fields(data, partial=False)
    _claim_slug(fields["slug"], None)
    article = Article(slug=fields["slug"], title=fields["title"], status="draft", version=1,
                      summary="", body_md="", body_html="", seo_description="",
                      author_id=author.id if author is not None else None)
    fields.setdefault("body_md", "")
    # No autoflush while the new article is half-built (setting its section would flush it).
    with db.session.no_autoflush:
        _apply_article_fields(article, fields)
        article.body_html = render_markdown(article.body_md)
        article.created_at = article.updated_at = utcnow()
        db.session.add(article)
    db.session.flush()
    _snapshot(article, fields.get("note") or "Created", author)
    _record_change("article", article.id, "created", article.slug, author)
    return article


def update_article(article: Article, data: Mapping[str, Any], *, author: Staff | None = None) -> Article:
    """Apply a partial update. A real change bumps `version` and adds a revision; a save that
    changes nothing is a no-op (no revision). A new slug leaves a redirect from the old one."""
    fields = clean_article_fields(data, partial=True)
    return _save_article(article, fields, author=author, action="updated")


def _save_article(article: Article, fields: dict[str, Any], *, author: Staff | None, action: str) -> Article:
    old_slug = article.slug
    new_slug = fields.get("slug", old_slug)
    if new_slug != old_slug:
        _claim_slug(new_slug, article)
    was_visible = article.is_visible
    changed = _apply_article_fields(article, fields)
    if new_slug != old_slug:
        article.slug = new_slug
        _remember_old_slug(article, old_slug)
        changed = True
    if not changed:
        return article
    if action == "updated" and article.is_visible != was_visible:
        action = "published" if article.is_visible else "unpublished"
    elif action == "updated" and article.state == "scheduled" and "published_at" in fields:
        action = "scheduled"
    article.version += 1
    article.updated_at = utcnow()
    db.session.flush()
    _snapshot(article, fields.get("note") or action.capitalize(), author)
    _record_change("article", article.id, action, article.slug, author)
    return article


def publish_article(article: Article, *, author: Staff | None = None) -> Article:
    """Publish now."""
    return update_article(article, {"status": "published", "published_at": utcnow()}, author=author)


def schedule_article(article: Article, when: Any, *, author: Staff | None = None) -> Article:
    """Publish at `when` (datetime or ISO 8601 string); invisible to the public until then."""
    return update_article(article, {"status": "published", "published_at": when}, author=author)


def unpublish_article(article: Article, *, author: Staff | None = None) -> Article:
    """Back to draft: gone from public pages and the public API at once."""
    return update_article(article, {"status": "draft"}, author=author)


def list_revisions(article: Article) -> list[ArticleRevision]:
    """Newest first."""
    return list(db.session.execute(
        select(ArticleRevision).where(ArticleRevision.article_id == article.id)
        .order_by(ArticleRevision.number.desc())
    ).scalars())


def rollback_article(article: Article, number: int, *, author: Staff | None = None) -> Article:
    """Copy revision `number`'s content (title, slug, summary, body, SEO text, section, tags) back
    as a NEW revision; publication state stays as it is now."""
    revision = db.session.execute(
        select(ArticleRevision).where(ArticleRevision.article_id == article.id, ArticleRevision.number == number)
    ).scalar_one_or_none()
    if revision is None:
        raise NotFound(f"Revision {number} of {article.slug!r} does not exist.", fields={"revision": ["No such revision."]})
    section = db.session.get(Section, revision.section_id) if revision.section_id else None
    fields: dict[str, Any] = {
        "title": revision.title, "slug": revision.slug, "summary": revision.summary,
        "body_md": revision.body_md, "seo_description": revision.seo_description,
        "section": section.slug if section is not None else None,
        "tags": {slug: None for slug in revision.tag_slugs.split()},
        "note": f"Rolled back to revision {number}",
    }
    saved_version = article.version
    _save_article(article, fields, author=author, action="rolled_back")
    if article.version == saved_version:
        # Rolling back to content identical to the current one still leaves a trace in history.
        article.version += 1
        article.updated_at = utcnow()
        _snapshot(article, fields["note"], author)
        _record_change("article", article.id, "rolled_back", article.slug, author)
    return article


def delete_article(article: Article, *, author: Staff | None = None) -> None:
    """Delete an article with its revisions and old slugs; FAQs pointing at it keep their text."""
    # Done explicitly: SQLite does not enforce ON DELETE without PRAGMA foreign_keys.
    db.session.execute(update(Faq).where(Faq.learn_more_article_id == article.id).values(learn_more_article_id=None))
    db.session.execute(delete(SlugRedirect).where(SlugRedirect.article_id == article.id))
    _record_change("article", article.id, "deleted", article.slug, author)
    db.session.delete(article)
    db.session.flush()


# --------------------------------------------------------------------------- articles: reads

def get_article(slug: str) -> Article:
    """Any article by its current slug, drafts included (staff only). Raises NotFound."""
    article = None
    if is_slug(slug):
        article = db.session.execute(select(Article).where(Article.slug == slug)).scalar_one_or_none()
    if article is None:
        raise NotFound(f"No article {slug[:SLUG_MAX]!r}.")
    return article


def get_published_article(slug: str) -> Article:
    """A publicly visible article by slug. Raises ArticleMoved(new_slug) for a former slug of a
    visible article (answer 301), NotFound otherwise (unknown, draft, scheduled, malformed)."""
    if not is_slug(slug):
        raise NotFound("No such article.")
    article = db.session.execute(
        select(Article).where(Article.slug == slug, *_visible_article())
    ).scalar_one_or_none()
    if article is not None:
        return article
    redirect = db.session.execute(select(SlugRedirect).where(SlugRedirect.old_slug == slug)).scalar_one_or_none()
    if redirect is not None and redirect.article.is_visible:
        raise ArticleMoved(redirect.article.slug)
    raise NotFound(f"No article {slug!r}.")


def _article_query(*, section: str | None, tag: str | None, search_ids: list[int] | None,
                   status: str | None) -> Select:
    query = select(Article)
    if status is None:
        query = query.where(*_visible_article())
    elif status == "draft":
        query = query.where(Article.status == "draft")
    elif status == "scheduled":
        query = query.where(Article.status == "published", Article.published_at > utcnow())
    elif status == "published":
        query = query.where(*_visible_article())
    # status == "all": no filter (staff)
    if section is not None:
        query = query.join(Section, Article.section_id == Section.id).where(Section.slug == section)
    if tag is not None:
        query = query.where(Article.id.in_(
            select(article_tag.c.article_id).join(Tag, Tag.id == article_tag.c.tag_id).where(Tag.slug == tag)
        ))
    if search_ids is not None:
        query = query.where(Article.id.in_(search_ids or [-1]))
    return query


def article_list_query(*, section: str | None, tag: str | None, search: str | None, order: str,
                       status: str | None) -> Select | None:
    """The articles a list shows (unordered, unpaged), or None when a slug filter is malformed.

    `search` keeps only articles matching the full-text query (order stays as asked).
    `status` is for staff: "draft", "scheduled", "published" or "all" (None = public view).
    """
    if order not in ARTICLE_ORDERS:
        raise ValidationFailed(f"Unknown order {order!r}.", fields={"order": list(ARTICLE_ORDERS)})
    if (section is not None and not is_slug(section)) or (tag is not None and not is_slug(tag)):
        return None
    search_ids = None
    if search is not None and search.strip():
        hits = search_content(search, limit=1000, kinds=("article",), include_drafts=status is not None,
                             snippets=False)  # only the ids are used: no ts_headline over 1000 bodies
        search_ids = [hit.ref_id for hit in hits]
    return _article_query(section=section, tag=tag, search_ids=search_ids, status=status)


def published_articles(
    section: str | None = None,
    tag: str | None = None,
    search: str | None = None,
    order: str = "-published_at",
    limit: int = 20,
    offset: int = 0,
    *,
    status: str | None = None,
) -> tuple[list[Article], int]:
    """Visible articles, filtered and paged: (items, total before paging). See article_list_query."""
    query = article_list_query(section=section, tag=tag, search=search, order=order, status=status)
    if query is None:
        return [], 0
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    query = query.order_by(*ARTICLE_KEYS[order].order_by())
    items = list(db.session.execute(query.limit(limit).offset(offset)).unique().scalars())
    return items, total


def articles_for_tag(slug: str, limit: int = 100) -> list[Article]:
    """Visible articles with this tag, newest first."""
    return published_articles(tag=slug, limit=limit)[0]


def related_faqs(article: Article, limit: int = 6) -> list[Faq]:
    """Visible FAQs that point at this article, then others from its section."""
    query = select(Faq).where(Faq.status == "published")
    conditions = [Faq.learn_more_article_id == article.id]
    if article.section_id is not None:
        conditions.append(Faq.section_id == article.section_id)
    query = query.where(or_(*conditions)).order_by(
        (Faq.learn_more_article_id == article.id).desc(), Faq.position, Faq.id
    ).limit(limit)
    return list(db.session.execute(query).unique().scalars())


# --------------------------------------------------------------------------- search

def search(q: str, limit: int = 20, *, include_drafts: bool = False, snippets: bool = True) -> list[SearchHit]:
    """Visible articles and FAQs matching `q`, best first (title matches weigh most).
    Empty or unusable queries give []. snippets=False leaves the snippets empty, for callers
    that list only titles and links."""
    return search_content(q, limit=limit, include_drafts=include_drafts, snippets=snippets)


def article_by_slug_or_none(slug: str) -> Article | None:
    return db.session.execute(select(Article).where(Article.slug == slug)).scalar_one_or_none()

