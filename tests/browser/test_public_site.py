"""The public site and the content editor in a real browser (Debian chromium via Playwright).

A real werkzeug server runs the app on a free port against a migrated SQLite file with the
demo content. Run: `pytest -m browser tests/browser`. Without /usr/bin/chromium these tests
skip, except under CI=true where they fail (same rule as tests/conftest.py require_service).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.extensions import db
from tests.fixtures.browser import serve

pytestmark = pytest.mark.browser
SCREENSHOT = Path("/tmp/neurodesk-article-390x844.png")
PASSWORD = "correct horse battery"


@pytest.fixture
def db_backend() -> str:
    return "sqlite"  # one real server process is enough; the pages are tested on both DBs elsewhere


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def site(app, make_staff) -> Iterator[str]:
    from service.content.importer import DEMO_CONTENT_PATH, import_content_file

    import_content_file(DEMO_CONTENT_PATH)
    db.session.commit()
    make_staff(email="editor@clinic.test", name="Casey Editor", role="coordinator", specialties=(), password=PASSWORD)
    yield from serve(app)


@pytest.fixture
def page(phone_page, site):
    return phone_page


def test_reader_opens_an_article_and_follows_a_tag(site, page):
    page.goto(f"{site}/")
    page.click("a:has-text('Thoracic Outlet Syndrome') >> nth=0")
    page.wait_for_url(re.compile(r"/sections/thoracic-outlet-syndrome$"))
    page.click("a[href='/articles/thoracic-outlet-syndrome']")
    page.wait_for_url(re.compile(r"/articles/thoracic-outlet-syndrome$"))
    assert "Thoracic Outlet Syndrome" in page.locator("h1").inner_text()
    assert page.locator("a.button:has-text('Ask a question')").get_attribute("href") == "/ask"
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    # Nothing wider than a phone: no horizontal scrolling on a 390px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click(".article-tags a[href='/tags/first-rib-resection']")
    page.wait_for_url(re.compile(r"/tags/first-rib-resection$"))
    assert page.locator("a[href='/articles/recovering-after-tos-surgery']").count() == 1


def test_reader_searches_from_the_search_form(site, page):
    page.goto(f"{site}/search")
    page.fill("#search-q", "shunt")
    page.press("#search-q", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=shunt$"))
    assert page.locator(".search-results li").count() > 0
    assert page.locator("a[href='/articles/normal-pressure-hydrocephalus']").count() == 1
    page.fill("#search-q", "xylophonequartz")
    page.click("button:has-text('Search')")
    page.wait_for_url(re.compile(r"q=xylophonequartz"))
    assert "Nothing matched" in page.content()


def test_ask_page_shows_faqs_filter_and_the_form(site, page):
    page.goto(f"{site}/ask")
    faqs = page.locator("details.faq")
    assert faqs.count() == 27
    assert page.locator("details.faq:visible").count() == 27
    page.fill("#faq-filter", "shunt")
    visible = page.locator("details.faq:visible").count()
    assert 0 < visible < 27
    assert "match" in page.locator("#faq-filter-status").inner_text()
    page.fill("#faq-filter", "")
    assert page.locator("details.faq:visible").count() == 27
    for field in ("#name", "#email", "#topic", "#question", "#consent"):
        assert page.locator(field).is_visible()
    # The honeypot is clipped to 1px (visually hidden), out of the tab order and the accessibility tree.
    box = page.locator(".hp").bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1
    assert page.locator(".hp").get_attribute("aria-hidden") == "true"
    assert page.locator("#website").get_attribute("tabindex") == "-1"


def test_editor_publishes_an_edit_that_readers_then_see(site, page):
    page.goto(f"{site}/desk/content/")
    page.wait_for_url(re.compile(r"/desk/login"))
    page.fill("#email", "editor@clinic.test")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(re.compile(r"/desk/content/$"))
    page.click("a:has-text('Meningioma')")
    page.fill("#summary", "Reviewed by our brain team this week.")
    page.click("button[value=preview]")
    assert page.locator(".preview").is_visible()
    page.click("button[value=publish]")
    assert "Published" in page.locator(".flash").inner_text()
    page.goto(f"{site}/articles/meningioma")
    assert "Reviewed by our brain team this week." in page.locator(".lead").inner_text()
