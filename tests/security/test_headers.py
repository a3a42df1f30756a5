"""Every response carries the security headers: public pages, desk, API, static files, errors."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from service.content.models import Article, Faq, Section, Tag
from service.extensions import db
from service.security import CONTENT_SECURITY_POLICY, HSTS
from tests.conftest import base_config

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def assert_secured(response, *, referrer: str = "strict-origin-when-cross-origin") -> None:
    for name, value in EXPECTED.items():
        if name == "Referrer-Policy":
            value = referrer
        assert response.headers.get(name) == value, f"{name} on {response.request.path}: {response.headers.get(name)}"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP in these tests


def test_the_policy_allows_no_inline_script_or_style():
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def test_templates_have_no_inline_script_style_or_event_handler():
    """The CSP would block them in the browser; catch them here first, with the file name."""
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.parts[-2] == "mail":
            continue  # emails are read in mail clients, not under our CSP
        text = path.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attrs = match.group(1)
            if "src=" not in attrs and 'type="application/ld+json"' not in attrs:
                offenders.append(f"{path.name}: inline <script{attrs}>")
        if re.search(r"<style\b", text):
            offenders.append(f"{path.name}: <style> block")
        if re.search(r"\sstyle\s*=", text):
            offenders.append(f"{path.name}: style= attribute")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.name}: inline event handler")
        if "javascript:" in text:
            offenders.append(f"{path.name}: javascript: URL")
    assert offenders == []


def public_urls() -> list[str]:
    article = db.session.execute(select(Article.slug).limit(1)).scalar_one()
    section = db.session.execute(select(Section.slug).limit(1)).scalar_one()
    tag = db.session.execute(select(Tag.slug).limit(1)).scalar_one()
    return ["/", f"/articles/{article}", f"/sections/{section}", f"/tags/{tag}", "/search?q=spine",
            "/ask", "/sitemap.xml", "/robots.txt", "/static/css/site.css", "/static/js/faq-filter.js",
            "/healthz"]


def test_public_pages_carry_the_headers(client, demo):
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        assert_secured(response)


def test_conditional_get_304_carries_the_headers(client, demo):
    first = client.get("/")
    again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert_secured(again)


def test_api_responses_carry_the_headers(client, demo):
    faq = db.session.execute(select(Faq.id).limit(1)).scalar_one()
    for url in ("/api/v1/articles", "/api/v1/sections", "/api/v1/tags", f"/api/v1/faqs/{faq}",
                "/api/v1/search?q=back", "/api/v1/openapi.json", "/api/v1/articles/no-such-article"):
        assert_secured(client.get(url))
    assert_secured(client.post("/api/v1/articles", json={}))  # 401 without a token
    assert_secured(client.post("/api/v1/questions", data="not json", content_type="text/plain"))


def test_error_pages_carry_the_headers(client, demo):
    missing = client.get("/articles/no-such-article")
    assert missing.status_code == 404
    assert_secured(missing)
    assert_secured(client.put("/"))  # 405


def test_unhandled_exception_500_page_carries_the_headers(app, client):
    @app.route("/__boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/__boom")
    assert response.status_code == 500
    assert_secured(response)


def test_desk_pages_carry_the_headers_and_are_never_cached(client, make_staff, sign_in):
    make_staff("boss@clinic.test", role="admin", specialties=())
    login = client.get("/desk/login")
    assert_secured(login)
    assert login.headers["Cache-Control"] == "no-store"
    sign_in("boss@clinic.test")
    for url in ("/desk/", "/desk/audit", "/desk/mail", "/desk/staff", "/desk/content/", "/desk/account/tokens",
                "/desk/tickets/Q-0000-0000"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_secured(response)
        assert response.headers["Cache-Control"] == "no-store", url


def test_inbound_webhook_answers_are_never_cached(client):
    response = client.post("/inbound/email", data=b"x", content_type="message/rfc822")
    assert response.status_code in (401, 503)
    assert_secured(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_patient_confirmation_page_keeps_its_stricter_referrer_policy(client):
    from service.tickets import services

    submission = services.submit_question(name="Ann", email="ann@example.test",
                                          question="My back hurts when I sit for long.", topic=None)
    db.session.commit()
    response = client.get(f"/ask/thanks/{submission.reference}")
    assert_secured(response, referrer="no-referrer")


def test_dev_mailbox_html_preview_keeps_its_sandbox_policy(client, make_staff, sign_in):
    from service.mail.ticket_mail import queue_patient_acknowledgement
    from service.tickets import services

    make_staff("boss@clinic.test", role="admin", specialties=())
    submission = services.submit_question(name="Ann", email="ann@example.test",
                                          question="My back hurts when I sit for long.", topic=None)
    email = queue_patient_acknowledgement(services.ticket_by_reference(submission.reference))
    db.session.commit()
    sign_in("boss@clinic.test")
    response = client.get(f"/desk/mail/{email.id}/html")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"  # framed by the desk's own mail page
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=False)
def test_hsts_only_over_https(database_url):
    from service import create_app

    app = create_app(base_config(database_url))
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/robots.txt").headers
    secure = client.get("/robots.txt", base_url="https://clinic.example")
    assert secure.headers["Strict-Transport-Security"] == HSTS


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=False)
def test_forwarded_proto_is_trusted_only_when_configured(database_url):
    from service import create_app

    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    untrusting = create_app(base_config(database_url)).test_client()
    assert "Strict-Transport-Security" not in untrusting.get("/robots.txt", headers=forwarded).headers
    behind_proxy = create_app(base_config(database_url, TRUST_PROXY_HEADERS=1)).test_client()
    assert behind_proxy.get("/robots.txt", headers=forwarded).headers["Strict-Transport-Security"] == HSTS
