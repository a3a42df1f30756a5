"""What search engines read: absolute URLs, JSON-LD (schema.org) and the sitemap.

JSON-LD is built here as plain data and written into pages with `|tojson`, which escapes `<`,
`>`, `&` and `'` as \\u escapes: an article titled `</script><script>...` stays data.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from flask import current_app, url_for

from service.content.models import Article, Faq

PUBLISHER = {"@type": "MedicalOrganization", "name": "Neurodesk Clinic"}


def absolute_url(endpoint: str, **values: Any) -> str:
    """PUBLIC_BASE_URL + path: the canonical address, whatever Host the request came in on."""
    return current_app.config["PUBLIC_BASE_URL"] + url_for(endpoint, **values)


def iso(moment: datetime | None) -> str | None:
    # Timestamps are naive UTC throughout the schema; say so explicitly for crawlers.
    return moment.replace(microsecond=0).isoformat() + "Z" if moment else None


def article_jsonld(article: Article) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "headline": article.title,
        "description": article.seo_description or article.summary,
        "url": absolute_url("pages.article", slug=article.slug),
        "inLanguage": "en",
        "datePublished": iso(article.published_at),
        "dateModified": iso(article.updated_at),
        "lastReviewed": iso(article.updated_at),
        "publisher": PUBLISHER,
        "keywords": ", ".join(tag.name for tag in article.tags),
    }
    if article.section is not None:
        data["isPartOf"] = {
            "@type": "CollectionPage",
            "name": article.section.title,
            "url": absolute_url("pages.section", slug=article.section.slug),
        }
    return {k: v for k, v in data.items() if v not in (None, "")}


def faq_page_jsonld(faqs: Iterable[Faq]) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "url": absolute_url("pages.ask"),
        "mainEntity": [
            {
                "@type": "Question",
                "name": faq.question,
                "acceptedAnswer": {"@type": "Answer", "text": faq.answer_html or faq.answer_md},
            }
            for faq in faqs
        ],
    }


def urlset_xml(entries: Iterable[Any]) -> str:
    """A sitemap (sitemaps.org 0.9): entries with `loc` and an optional `lastmod` date."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for entry in entries:
        lastmod = f"<lastmod>{entry.lastmod.isoformat()}</lastmod>" if entry.lastmod else ""
        lines.append(f"  <url><loc>{escape(entry.loc)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def sitemap_index_xml(locs: Iterable[str]) -> str:
    """A sitemap index: the addresses of the sitemaps that together list the site."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <sitemap><loc>{escape(loc)}</loc></sitemap>" for loc in locs]
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def robots_txt() -> str:
    base = current_app.config["PUBLIC_BASE_URL"]
    return (
        "User-agent: *\n"
        "Allow: /\n"
        # Staff screens and machine endpoints are no use in search results.
        "Disallow: /desk/\n"
        "Disallow: /api/\n"
        "Disallow: /inbound/\n"
        f"Sitemap: {base}/sitemap.xml\n"
    )
