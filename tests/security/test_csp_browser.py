"""The strict CSP breaks nothing: real chromium loads the pages and runs their JS with no violation.

Run: `pytest -m browser tests/security`. Skips without /usr/bin/chromium (fails under CI=true).
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from service.content.models import Article
from service.extensions import db
from tests.fixtures.browser import serve

pytestmark = pytest.mark.browser


@pytest.fixture
def db_backend() -> str:
    return "sqlite"  # one real server is enough: the headers do not depend on the database


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def site(app) -> Iterator[str]:
    from service.content.importer import DEMO_CONTENT_PATH, import_content_file

    import_content_file(DEMO_CONTENT_PATH)
    db.session.commit()
    yield from serve(app)


def test_pages_and_their_scripts_run_with_no_csp_violation(chromium, site):
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations: list[str] = []
    errors: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    slug = db.session.execute(select(Article.slug).where(Article.status == "published").limit(1)).scalar_one()
    try:
        for path in ("/", f"/articles/{slug}", "/desk/login"):
            response = page.goto(site + path)
            assert response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"]
            # Stylesheet applied: CSP did not block site.css (body gets its background from it).
            assert page.evaluate("document.styleSheets.length") >= 1, path

        page.goto(site + "/ask")
        faqs = page.locator("[data-faq]")
        total = faqs.count()
        assert total > 1
        page.fill("[data-faq-filter]", "zzzz-no-such-words")
        # The filter script ran under the CSP: every FAQ hidden, the status line updated.
        page.wait_for_function("document.querySelectorAll('[data-faq]:not([hidden])').length === 0")
        page.fill("[data-faq-filter]", "")
        page.wait_for_function(f"document.querySelectorAll('[data-faq]:not([hidden])').length === {total}")
    finally:
        context.close()
    assert violations == [], violations
    assert errors == [], errors
