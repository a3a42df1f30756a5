"""/sitemap.xml: one sitemap while the site is small, an index of pages once it is not."""
from __future__ import annotations

from xml.etree import ElementTree

import pytest
from sqlalchemy import event

from service.content import services
from service.extensions import db

BASE = "https://clinic.example"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def app_config():
    return {"PUBLIC_BASE_URL": BASE, "SITEMAP_MAX_URLS": 7}


def every_public_url() -> set[str]:
    urls = {f"{BASE}/", f"{BASE}/ask"}
    urls |= {f"{BASE}/sections/{s.slug}" for s in services.list_sections()}
    urls |= {f"{BASE}/tags/{t.slug}" for t in services.list_tags()}
    articles, _ = services.published_articles(limit=1000)
    return urls | {f"{BASE}/articles/{a.slug}" for a in articles}


def locs(body: bytes, kind: str) -> list[str]:
    root = ElementTree.fromstring(body)
    assert root.tag == f"{{{NS['s']}}}{kind}"
    child = "url" if kind == "urlset" else "sitemap"
    return [el.findtext("s:loc", namespaces=NS) for el in root.findall(f"s:{child}", NS)]


def test_a_large_site_gets_an_index_of_pages_that_list_everything_once(client, demo):
    services.create_article({"slug": "hidden-draft", "title": "Draft", "body_md": "x"})
    db.session.commit()
    expected = every_public_url()
    index = client.get("/sitemap.xml")
    assert index.status_code == 200 and index.mimetype == "application/xml"
    pages = locs(index.data, "sitemapindex")
    assert pages == [f"{BASE}/sitemap-{n}.xml" for n in range(1, len(pages) + 1)]
    assert len(pages) == -(-len(expected) // 7)

    statements: list[tuple[str, object]] = []
    listener = lambda *args: statements.append((args[2], args[3]))  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        listed = []
        for url in pages:
            page = client.get(url.removeprefix(BASE))
            assert page.status_code == 200 and page.mimetype == "application/xml"
            urls = locs(page.data, "urlset")
            assert 0 < len(urls) <= 7
            listed += urls
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(listed) == len(set(listed)) and set(listed) == expected
    assert f"{BASE}/articles/hidden-draft" not in listed
    # SQLAlchemy writes "LIMIT ? OFFSET ?" on SQLite even with no offset: that one must be 0.
    offsets = [(sql, params) for sql, params in statements
               if "OFFSET" in sql.upper() and not (sql.rstrip().endswith("OFFSET ?") and params[-1] == 0)]
    assert not offsets, "sitemap pages are keyset reads"


def test_sitemap_pages_answer_conditional_requests_and_unknown_pages_are_404(client, demo):
    first = client.get("/sitemap-1.xml")
    assert first.headers["ETag"] and "public" in first.headers["Cache-Control"]
    assert client.get("/sitemap-1.xml", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    pages = len(locs(client.get("/sitemap.xml").data, "sitemapindex"))
    for number in (0, pages + 1, 99999):
        assert client.get(f"/sitemap-{number}.xml").status_code == 404


@pytest.mark.parametrize("app_config", [{"PUBLIC_BASE_URL": BASE}])
def test_a_small_site_has_one_plain_sitemap_and_no_pages(client, demo):
    assert set(locs(client.get("/sitemap.xml").data, "urlset")) == every_public_url()
    assert client.get("/sitemap-1.xml").status_code == 404
    assert f"Sitemap: {BASE}/sitemap.xml" in client.get("/robots.txt").text
