"""Content as JSON for /api/v1: one function per resource, plain dicts, ISO 8601 UTC with Z."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app

from service.content.models import Article, ArticleRevision, Faq, Section
from service.content.search import SearchHit

ARTICLE_PUBLIC_FIELDS = ("slug", "title", "summary", "body_html", "section", "tags", "published_at", "updated_at", "url")
ARTICLE_STAFF_FIELDS = ARTICLE_PUBLIC_FIELDS + ("body_md", "seo_description", "status", "version")


def iso(moment: datetime | None) -> str | None:
    """Naive UTC -> "2026-01-31T09:00:00Z"."""
    if moment is None:
        return None
    return moment.replace(microsecond=0).isoformat() + "Z"


def public_url(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"] + path


def section_ref(section: Section | None) -> dict[str, Any] | None:
    if section is None:
        return None
    return {"slug": section.slug, "title": section.title, "topic": section.topic}


def article_item(article: Article, *, staff: bool = False, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "slug": article.slug,
        "title": article.title,
        "summary": article.summary,
        "body_html": article.body_html,
        "section": section_ref(article.section),
        "tags": [{"slug": t.slug, "name": t.name} for t in article.tags],
        "published_at": iso(article.published_at) if staff or article.is_visible else None,
        "updated_at": iso(article.updated_at),
        "url": public_url(f"/articles/{article.slug}"),
    }
    if staff:
        item.update(body_md=article.body_md, seo_description=article.seo_description,
                    status=article.state, version=article.version)
    if fields:
        item = {name: item[name] for name in fields if name in item}
    return item


def revision_item(revision: ArticleRevision) -> dict[str, Any]:
    return {
        "number": revision.number, "title": revision.title, "slug": revision.slug,
        "summary": revision.summary, "body_md": revision.body_md, "seo_description": revision.seo_description,
        "section_id": revision.section_id, "tags": revision.tag_slugs.split(), "status": revision.status,
        "published_at": iso(revision.published_at), "note": revision.note,
        "author_id": revision.author_id, "created_at": iso(revision.created_at),
    }


def section_item(section: Section, article_count: int | None = None) -> dict[str, Any]:
    item = {
        "slug": section.slug, "title": section.title, "topic": section.topic,
        "description": section.description, "position": section.position,
        "url": public_url(f"/sections/{section.slug}"),
    }
    if article_count is not None:
        item["article_count"] = article_count
    return item


def tag_item(slug: str, name: str, article_count: int) -> dict[str, Any]:
    return {"slug": slug, "name": name, "article_count": article_count, "url": public_url(f"/tags/{slug}")}


def faq_item(faq: Faq, *, staff: bool = False) -> dict[str, Any]:
    learn_more = None
    article = faq.learn_more_article
    if article is not None and (staff or article.is_visible):
        learn_more = {"text": faq.learn_more_text or f"Read more: {article.title}",
                      "url": public_url(f"/articles/{article.slug}"), "article": article.slug}
    elif faq.section is not None:
        learn_more = {"text": faq.learn_more_text or f"More in {faq.section.title}",
                      "url": public_url(f"/sections/{faq.section.slug}"), "article": None}
    item: dict[str, Any] = {
        "id": faq.id, "question": faq.question, "answer_html": faq.answer_html, "topic": faq.topic,
        "section": section_ref(faq.section), "learn_more": learn_more, "position": faq.position,
        "updated_at": iso(faq.updated_at), "url": public_url(f"/ask#faq-{faq.id}"),
    }
    if staff:
        item.update(answer_md=faq.answer_md, status=faq.status, version=faq.version,
                    learn_more_text=faq.learn_more_text)
    return item


def hit_item(hit: SearchHit) -> dict[str, Any]:
    item: dict[str, Any] = {"type": hit.type, "title": hit.title}
    if hit.type == "article":
        item["slug"] = hit.slug
    else:
        item["id"] = hit.ref_id
        item["question"] = hit.title
    item.update(url=public_url(hit.path), snippet=hit.snippet, score=hit.score)
    return item
