"""JSON API /api/v1 for content (CONTRACT.md section 4): thin views over content services.

Reads are public and cacheable (ETag + 304); with a staff bearer token they may include drafts.
Writes need an admin's or coordinator's token. Every view declares its OpenAPI operation.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, redirect, request, url_for

from service.content import page_cache, paging, preview, services
from service.content.api_support import (
    MAX_CURSOR,
    MAX_OFFSET,
    cached_read,
    choice_arg,
    commit,
    current_staff,
    fields_arg,
    int_arg,
    json_body,
    list_body,
    page_args,
    require_editor,
    text_arg,
)
from service.content.models import TOPICS
from service.content.openapi import build_spec, document, query, ref
from service.content.serializers import (
    ARTICLE_PUBLIC_FIELDS,
    ARTICLE_STAFF_FIELDS,
    article_item,
    faq_item,
    hit_item,
    revision_item,
    section_item,
    tag_item,
)
from service.errors import BadRequest, NotFound, Unauthorized, ValidationFailed, error_body
from service.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.record_once(lambda state: page_cache.init_app(state.app))  # anonymous reads: no Vary: Cookie
# Bearer tokens, not cookies, authenticate writes here: no CSRF exposure to protect against.
csrf.exempt(bp)

ARTICLE_STATUSES = ("draft", "scheduled", "published", "all")
FAQ_STATUSES = ("draft", "published", "all")
LIST_PARAMS = [
    query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, "Page size"),
    query("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
          f"Items to skip (at most {MAX_OFFSET}; go further with `after`)"),
    query("after", {"type": "string", "maxLength": MAX_CURSOR},
          "Cursor: start after the last item of a page (that page's `meta.next_cursor`); not with offset"),
]
STAFF_ERRORS = {401: None, 403: None}


@bp.errorhandler(Unauthorized)
def unauthorized(exc: Unauthorized):
    response = jsonify(error_body(exc.status, exc.code, exc.message, exc.fields))
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="neurodesk"'
    return response


@bp.app_errorhandler(services.ArticleMoved)
def article_moved(exc: services.ArticleMoved):
    """A former slug: 301 to the article's current address (API URL under /api/, page otherwise)."""
    if request.path.startswith("/api/"):
        location = url_for("api.get_article", slug=exc.slug)
        response = jsonify({"slug": exc.slug, "url": location})
        response.status_code = 301
        response.headers["Location"] = location
        response.headers["Cache-Control"] = "public, max-age=60"
        return response
    query_string = request.query_string.decode("latin-1")
    return redirect(f"/articles/{exc.slug}" + (f"?{query_string}" if query_string else ""), code=301)


def _staff_status(choices: tuple[str, ...]) -> str | None:
    """`?status=` is a staff filter; the public always sees published content only."""
    staff = current_staff()
    status = choice_arg("status", choices)
    return (status or "all") if staff is not None else None


# --------------------------------------------------------------------------- articles

@bp.get("/articles")
@document(
    summary="List published articles", tags=["articles"],
    parameters=LIST_PARAMS + [
        query("section", {"type": "string"}, "Section slug"),
        query("tag", {"type": "string"}, "Tag slug"),
        query("search", {"type": "string", "maxLength": 200}, "Full-text filter"),
        query("order", {"type": "string", "enum": list(services.ARTICLE_ORDERS), "default": "-published_at"}),
        query("fields", {"type": "string"}, "Comma list of item fields, e.g. slug,title,url"),
        query("status", {"type": "string", "enum": list(ARTICLE_STATUSES)}, "Staff only (token): default all"),
    ],
    responses={200: ref("ArticleList"), 400: None, 401: None},
)
def list_articles() -> Response:
    def build():
        staff = current_staff() is not None
        limit, offset, after = page_args()
        order = choice_arg("order", services.ARTICLE_ORDERS, "-published_at")
        fields = fields_arg(ARTICLE_STAFF_FIELDS if staff else ARTICLE_PUBLIC_FIELDS)
        page = paging.article_page(
            section=text_arg("section"), tag=text_arg("tag"), search=text_arg("search"),
            order=order, limit=limit, offset=offset, after=after, status=_staff_status(ARTICLE_STATUSES),
        )
        return list_body([article_item(a, staff=staff, fields=fields) for a in page.items], page.total, limit,
                         offset, next_cursor=page.next_cursor, paged=True)

    return cached_read(build)


@bp.get("/articles/<slug>")
@document(
    summary="One article", tags=["articles"],
    parameters=[query("fields", {"type": "string"}, "Comma list of fields"),
                query("preview", {"type": "string", "maxLength": 500},
                      "A preview token (POST .../preview-token): reads this article's draft or scheduled version")],
    responses={200: ref("Article"), 301: None, 400: None, 404: None},
)
def get_article(slug: str) -> Response:
    if "preview" in request.args:
        return _previewed_article(slug, request.args["preview"])

    def build():
        staff = current_staff() is not None
        fields = fields_arg(ARTICLE_STAFF_FIELDS if staff else ARTICLE_PUBLIC_FIELDS)
        if staff:
            try:
                article = services.get_article(slug)
            except NotFound:
                article = services.get_published_article(slug)  # 301 for a former slug, else 404
        else:
            article = services.get_published_article(slug)
        return article_item(article, staff=staff, fields=fields)

    return cached_read(build)


def _previewed_article(slug: str, token: str) -> Response:
    """One draft for a front end holding a preview token; never stored, shared or indexed."""
    try:
        article = services.get_article(slug)
    except NotFound:
        article = None
    if article is None or not preview.opens(token, article):
        raise NotFound("No such article, or the preview link has expired.")
    response = jsonify(article_item(article, staff=False, fields=fields_arg(ARTICLE_PUBLIC_FIELDS)))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.post("/articles/<slug>/preview-token")
@document(summary="A signed, expiring token that lets a front end read this article's draft", tags=["articles"],
          auth=True, responses={201: ref("PreviewToken"), 404: None})
def create_preview_token(slug: str) -> Response:
    require_editor()
    link = preview.issue(services.get_article(slug))
    response = jsonify({"token": link.token, "expires_at": link.expires_at.isoformat() + "Z", "url": link.url})
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/articles")
@document(summary="Create an article", tags=["articles"], auth=True, request=ref("ArticleWrite"),
          responses={201: ref("Article"), 400: None, 409: None, 413: None, 415: None, 422: None})
def create_article() -> Response:
    staff = require_editor()
    article = services.create_article(json_body(), author=staff)
    commit()
    response = jsonify(article_item(article, staff=True))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_article", slug=article.slug)
    return response


@bp.put("/articles/<slug>")
@document(summary="Update an article (partial); publish, schedule or unpublish via status/published_at",
          tags=["articles"], auth=True, request=ref("ArticleWrite"),
          responses={200: ref("Article"), 400: None, 404: None, 409: None, 413: None, 415: None, 422: None})
def update_article(slug: str) -> Response:
    staff = require_editor()
    article = services.get_article(slug)
    services.update_article(article, json_body(), author=staff)
    commit()
    return jsonify(article_item(article, staff=True))


@bp.delete("/articles/<slug>")
@document(summary="Delete an article", tags=["articles"], auth=True, responses={204: None, 404: None})
def delete_article(slug: str) -> Response:
    staff = require_editor()
    services.delete_article(services.get_article(slug), author=staff)
    commit()
    return Response(status=204)


@bp.get("/articles/<slug>/revisions")
@document(summary="An article's revisions, newest first", tags=["articles"], auth=True,
          responses={200: ref("RevisionList"), 404: None})
def list_revisions(slug: str) -> Response:
    require_editor()
    revisions = services.list_revisions(services.get_article(slug))
    return cached_read(lambda: list_body([revision_item(r) for r in revisions], len(revisions)))


@bp.post("/articles/<slug>/rollback")
@document(summary="Copy revision N back as a new revision", tags=["articles"], auth=True,
          request=ref("Rollback"), responses={200: ref("Article"), 400: None, 404: None, 409: None, 415: None, 422: None})
def rollback_article(slug: str) -> Response:
    staff = require_editor()
    article = services.get_article(slug)
    body = json_body()
    unknown = sorted(set(body) - {"revision"})
    number = body.get("revision")
    if unknown or isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 2**31:
        fields = {name: ["Unknown field."] for name in unknown}
        if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 2**31:
            fields["revision"] = ["A revision number (1 or more)."]
        raise ValidationFailed("Send {\"revision\": N}.", fields=fields)
    services.rollback_article(article, number, author=staff)
    commit()
    return jsonify(article_item(article, staff=True))


# --------------------------------------------------------------------------- sections and tags

@bp.get("/sections")
@document(summary="All sections with their number of published articles", tags=["sections"],
          parameters=[query("topic", {"type": "string", "enum": list(TOPICS)})],
          responses={200: ref("SectionList"), 400: None})
def list_sections() -> Response:
    def build():
        counts = services.section_article_counts()
        sections = services.list_sections(topic=choice_arg("topic", TOPICS))
        return list_body([section_item(s, counts.get(s.id, 0)) for s in sections], len(sections))

    return cached_read(build)


@bp.get("/sections/<slug>")
@document(summary="One section", tags=["sections"], responses={200: ref("Section"), 404: None})
def get_section(slug: str) -> Response:
    def build():
        section = services.get_section(slug)
        return section_item(section, services.section_article_counts().get(section.id, 0))

    return cached_read(build)


@bp.post("/sections")
@document(summary="Create a section", tags=["sections"], auth=True, request=ref("SectionWrite"),
          responses={201: ref("Section"), 400: None, 409: None, 415: None, 422: None})
def create_section() -> Response:
    staff = require_editor()
    section = services.create_section(json_body(), author=staff)
    commit()
    response = jsonify(section_item(section))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_section", slug=section.slug)
    return response


@bp.put("/sections/<slug>")
@document(summary="Update a section (partial)", tags=["sections"], auth=True, request=ref("SectionWrite"),
          responses={200: ref("Section"), 400: None, 404: None, 409: None, 415: None, 422: None})
def update_section(slug: str) -> Response:
    staff = require_editor()
    section = services.update_section(services.get_section(slug), json_body(), author=staff)
    commit()
    return jsonify(section_item(section))


@bp.delete("/sections/<slug>")
@document(summary="Delete a section (its articles and FAQs stay, without a section)", tags=["sections"],
          auth=True, responses={204: None, 404: None})
def delete_section(slug: str) -> Response:
    staff = require_editor()
    services.delete_section(services.get_section(slug), author=staff)
    commit()
    return Response(status=204)


@bp.get("/tags")
@document(summary="Tags with their number of published articles, most used first", tags=["tags"],
          responses={200: ref("TagList")})
def list_tags() -> Response:
    def build():
        tags = services.list_tags()
        return list_body([tag_item(t.slug, t.name, t.article_count) for t in tags], len(tags))

    return cached_read(build)


# --------------------------------------------------------------------------- FAQs

def _faq_id(faq_id: int) -> int:
    if not 0 < faq_id < 2**31:
        raise NotFound("No such FAQ.")
    return faq_id


@bp.get("/faqs")
@document(
    summary="FAQs in display order", tags=["faqs"],
    parameters=LIST_PARAMS + [
        query("tag", {"type": "string", "enum": list(TOPICS)}, "Topic: spine, brain or tos"),
        query("section", {"type": "string"}, "Section slug"),
        query("status", {"type": "string", "enum": list(FAQ_STATUSES)}, "Staff only (token): default all"),
    ],
    responses={200: ref("FaqList"), 400: None},
)
def list_faqs() -> Response:
    def build():
        staff = current_staff() is not None
        limit, offset, after = page_args(default_limit=100)
        page = paging.faq_page(topic=choice_arg("tag", TOPICS), section=text_arg("section"), limit=limit,
                               offset=offset, after=after, status=_staff_status(FAQ_STATUSES))
        return list_body([faq_item(f, staff=staff) for f in page.items], page.total, limit, offset,
                         next_cursor=page.next_cursor, paged=True)

    return cached_read(build)


@bp.get("/faqs/<int:faq_id>")
@document(summary="One FAQ", tags=["faqs"], responses={200: ref("Faq"), 404: None})
def get_faq(faq_id: int) -> Response:
    def build():
        staff = current_staff() is not None
        return faq_item(services.get_faq(_faq_id(faq_id), include_drafts=staff), staff=staff)

    return cached_read(build)


@bp.post("/faqs")
@document(summary="Create a FAQ", tags=["faqs"], auth=True, request=ref("FaqWrite"),
          responses={201: ref("Faq"), 400: None, 415: None, 422: None})
def create_faq() -> Response:
    staff = require_editor()
    faq = services.create_faq(json_body(), author=staff)
    commit()
    response = jsonify(faq_item(faq, staff=True))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_faq", faq_id=faq.id)
    return response


@bp.put("/faqs/<int:faq_id>")
@document(summary="Update a FAQ (partial)", tags=["faqs"], auth=True, request=ref("FaqWrite"),
          responses={200: ref("Faq"), 400: None, 404: None, 415: None, 422: None})
def update_faq(faq_id: int) -> Response:
    staff = require_editor()
    faq = services.update_faq(services.get_faq(_faq_id(faq_id), include_drafts=True), json_body(), author=staff)
    commit()
    return jsonify(faq_item(faq, staff=True))


@bp.delete("/faqs/<int:faq_id>")
@document(summary="Delete a FAQ", tags=["faqs"], auth=True, responses={204: None, 404: None})
def delete_faq(faq_id: int) -> Response:
    staff = require_editor()
    services.delete_faq(services.get_faq(_faq_id(faq_id), include_drafts=True), author=staff)
    commit()
    return Response(status=204)


# --------------------------------------------------------------------------- search and the spec

@bp.get("/search")
@document(
    summary="Articles and FAQs ranked by relevance (title matches weigh most)", tags=["search"],
    parameters=[query("q", {"type": "string", "maxLength": 200}, "Words to find; empty gives no items"),
                query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20})],
    responses={200: ref("SearchResults"), 400: None},
)
def search() -> Response:
    def build():
        limit = int_arg("limit", 20, 1, 100)
        hits = services.search(text_arg("q") or "", limit=limit)
        return list_body([hit_item(h) for h in hits], len(hits))

    return cached_read(build)


@bp.get("/openapi.json")
@document(summary="This API's OpenAPI 3.1 document", tags=["meta"], responses={200: {"type": "object"}})
def openapi() -> Response:
    return jsonify(build_spec(current_app))


__all__ = ["bp", "BadRequest"]
