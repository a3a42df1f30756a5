"""What /sitemap.xml lists, split into pages once the site outgrows one sitemap.

The sitemap protocol (sitemaps.org 0.9) allows 50,000 URLs per file; past SITEMAP_MAX_URLS
/sitemap.xml becomes a sitemap index pointing at /sitemap-1.xml, /sitemap-2.xml, ... The
entries keep one order: the home page, /ask, sections, tags, then articles by id. A page's
articles are a keyset read (ids from its first one on, LIMIT its size), never an OFFSET; the
first id of each page comes from one pass over the visible articles' ids.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from service.content.changes import visible_article
from service.content.models import Article
from service.content.sections import list_sections, list_tags
from service.content.seo import absolute_url
from service.extensions import db

PROTOCOL_MAX_URLS = 50_000


@dataclass(frozen=True)
class Entry:
    loc: str
    lastmod: date | None = None


def max_urls() -> int:
    return max(1, min(int(current_app.config.get("SITEMAP_MAX_URLS", PROTOCOL_MAX_URLS)), PROTOCOL_MAX_URLS))


def _fixed_entries() -> list[Entry]:
    """Everything but articles: a few hundred at most."""
    entries = [Entry(absolute_url("pages.home")), Entry(absolute_url("pages.ask"))]
    entries += [Entry(absolute_url("pages.section", slug=s.slug)) for s in list_sections()]
    entries += [Entry(absolute_url("pages.tag", slug=t.slug)) for t in list_tags()]
    return entries


def _article_count() -> int:
    return db.session.execute(select(func.count()).select_from(Article).where(*visible_article())).scalar_one()


@dataclass(frozen=True)
class Plan:
    fixed: list[Entry]
    articles: int
    per_page: int
    starts: dict[int, int]  # article position (0-based, by id) where a page starts -> its id

    @property
    def total(self) -> int:
        return len(self.fixed) + self.articles

    @property
    def pages(self) -> int:
        """0 when one plain sitemap holds everything, else how many pages the index lists."""
        return 0 if self.total <= self.per_page else -(-self.total // self.per_page)


def plan() -> Plan:
    """What the sitemap holds now and, when it needs pages, where each page's articles start."""
    fixed, articles, per_page = _fixed_entries(), _article_count(), max_urls()
    starts = _page_starts(len(fixed), per_page) if len(fixed) + articles > per_page else {}
    return Plan(fixed, articles, per_page, starts)


def _page_starts(fixed: int, per_page: int) -> dict[int, int]:
    # One pass over the visible articles' ids: each page's first id, then each page is a keyset read.
    numbered = select(Article.id, (func.row_number().over(order_by=Article.id) - 1).label("n")).where(
        *visible_article()).subquery()
    rows = db.session.execute(
        select(numbered.c.n, numbered.c.id).where(numbered.c.n > 0, (numbered.c.n + fixed) % per_page == 0))
    return {n: article_id for n, article_id in rows}


def entries(site: Plan, page: int | None = None) -> list[Entry]:
    """Page `page` (1-based) of the entries, or all of them (a site small enough for one file)."""
    if page is None:
        return site.fixed + _articles(None, site.articles)
    start, end = (page - 1) * site.per_page, page * site.per_page
    fixed = site.fixed[start:end]
    first_article = max(0, start - len(site.fixed))
    wanted = end - len(site.fixed) - first_article
    if wanted <= 0:
        return fixed
    first_id = site.starts.get(first_article) if first_article else None
    if first_article and first_id is None:
        return fixed  # articles went away since the plan was made: nothing more to list
    return fixed + _articles(first_id, wanted)


def _articles(first_id: int | None, limit: int) -> list[Entry]:
    query = select(Article.slug, Article.updated_at, Article.published_at).where(*visible_article())
    if first_id is not None:
        query = query.where(Article.id >= first_id)
    rows = db.session.execute(query.order_by(Article.id).limit(limit))
    return [Entry(absolute_url("pages.article", slug=slug), (updated or published).date())
            for slug, updated, published in rows]
