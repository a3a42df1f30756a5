"""The public site (CONTRACT.md section 3): thin views over service.content.services.

Every GET page answers conditional requests (see page_cache.py for the ETag and Cache-Control
choices). POST /ask belongs to the intake room (service/tickets); it re-renders the page
through `render_ask_page` so field errors and typed text come back in the same layout.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from service.content import seo
from service.content import services as content
from service.content import page_cache
from service.content import sitemap as sitemaps
from service.content.freshness import current_generation
from service.content.page_cache import conditional_page

bp = Blueprint("pages", __name__)
bp.record_once(lambda state: page_cache.init_app(state.app))

TOPIC_LABELS = (
    ("spine", "Spine: back, neck and nerves"),
    ("brain", "Brain and head"),
    ("tos", "Thoracic outlet syndrome"),
)
PAGE_SIZE = 20
SEARCH_LIMIT = 30


@dataclass(frozen=True)
class Pager:
    page: int
    pages: int
    endpoint: str
    values: dict[str, Any]

    def url(self, page: int) -> str:
        return url_for(self.endpoint, **self.values, page=page if page > 1 else None)


def _page_number() -> int:
    """?page=N, anything unusable means page 1 (bad input never becomes a 500)."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) <= 6 and int(raw) > 0 else 1


@bp.get("/")
@conditional_page()
def home() -> str:
    sections = content.list_sections()
    topics = [(topic, label, [s for s in sections if s.topic == topic]) for topic, label in TOPIC_LABELS]
    latest, _ = content.published_articles(limit=5)
    return render_template(
        "content/home.html",
        topics=[t for t in topics if t[2]],
        latest=latest,
        canonical=seo.absolute_url("pages.home"),
    )


@bp.get("/sections/<slug>")
@conditional_page()
def section(slug: str) -> str:
    found = content.get_section(slug)
    page = _page_number()
    articles, total = content.published_articles(section=found.slug, order="title",
                                                 limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if page > pages:
        abort(404)
    return render_template(
        "content/section.html",
        section=found,
        articles=articles,
        pager=Pager(page, pages, "pages.section", {"slug": found.slug}),
        canonical=seo.absolute_url("pages.section", slug=found.slug),
    )


@bp.get("/articles/<slug>")
@conditional_page()
def article(slug: str) -> Response | str:
    try:
        found = content.get_published_article(slug)
    except content.ArticleMoved as moved:
        return redirect(url_for("pages.article", slug=moved.slug), code=301)
    return render_template(
        "content/article.html",
        article=found,
        faqs=content.related_faqs(found),
        jsonld=seo.article_jsonld(found),
        canonical=seo.absolute_url("pages.article", slug=found.slug),
    )


@bp.get("/tags/<slug>")
@conditional_page()
def tag(slug: str) -> str:
    found = content.get_tag(slug)
    return render_template(
        "content/tag.html",
        tag=found,
        articles=content.articles_for_tag(found.slug),
        canonical=seo.absolute_url("pages.tag", slug=found.slug),
    )


@bp.get("/search")
@conditional_page(store=False)  # endless query strings, and the query is the visitor's own text
def search() -> str:
    q = request.args.get("q", "").strip()[:200]
    hits = content.search(q, limit=SEARCH_LIMIT) if q else []
    return render_template("content/search.html", q=q, results=hits)


def _ask_form() -> FlaskForm:
    # The intake room owns the form; imported here, at call time, so either room can load first.
    from service.tickets.forms import AskForm

    return AskForm()


def render_ask_page(form: FlaskForm, status: int = 200) -> tuple[str, int]:
    """The whole /ask page (FAQs + form) for `form`: used by GET here and by POST /ask (intake)
    to show field errors with the typed text kept."""
    groups = content.faqs_grouped_by_section()
    faq_groups = [(section.title if section is not None else "Other questions", faqs) for section, faqs in groups]
    html = render_template(
        "content/ask.html",
        form=form,
        faq_groups=faq_groups,
        jsonld=seo.faq_page_jsonld(faq for _, faqs in groups for faq in faqs),
        canonical=seo.absolute_url("pages.ask"),
    )
    return html, status


@bp.get("/ask")
@conditional_page(per_session=True)  # the page carries this visitor's CSRF token
def ask() -> tuple[str, int]:
    return render_ask_page(_ask_form())


@bp.get("/sitemap.xml")
@conditional_page()
def sitemap() -> Response:
    """The whole sitemap, or past SITEMAP_MAX_URLS an index of its pages (sitemap.py)."""
    site = sitemap_plan()
    if site.pages:
        body = seo.sitemap_index_xml(seo.absolute_url("pages.sitemap_page", number=n)
                                     for n in range(1, site.pages + 1))
    else:
        body = seo.urlset_xml(sitemaps.entries(site))
    return Response(body, mimetype="application/xml")


@bp.get("/sitemap-<int:number>.xml")
@conditional_page()
def sitemap_page(number: int) -> Response:
    site = sitemap_plan()
    if not 1 <= number <= site.pages:
        abort(404)
    return Response(seo.urlset_xml(sitemaps.entries(site, number)), mimetype="application/xml")


def sitemap_plan() -> sitemaps.Plan:
    """The plan for this content version, made once per process (its pages are rendered apart)."""
    generation = current_generation()
    site = generation.entries.get(("sitemap-plan",))
    if site is None:
        site = sitemaps.plan()
        generation.remember(("sitemap-plan",), site)
    return site


@bp.get("/robots.txt")
def robots() -> Response:
    response = Response(seo.robots_txt(), mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.add_etag()
    return response.make_conditional(request)

