"""Draft preview for a headless front end: a token reads one draft, nothing else, until it expires."""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from itsdangerous import TimestampSigner

DRAFT = {"slug": "first-rib-resection", "title": "First rib resection: what to expect",
         "summary": "Recovery week by week.", "body": "## Week one\n\nWalk every day.", "section": "back-and-leg-pain"}


@pytest.fixture
def draft(client, demo, editor):
    response = client.post("/api/v1/articles", json=DRAFT, headers=editor)
    assert response.status_code == 201 and response.get_json()["status"] == "draft"
    return DRAFT["slug"]


def token_for_draft(client, editor, slug) -> dict:
    response = client.post(f"/api/v1/articles/{slug}/preview-token", headers=editor)
    assert response.status_code == 201, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def test_a_preview_token_reads_the_draft_without_an_api_token(client, editor, draft):
    assert client.get(f"/api/v1/articles/{draft}").status_code == 404  # drafts stay invisible
    link = token_for_draft(client, editor, draft)
    assert set(link) == {"token", "expires_at", "url"} and link["expires_at"].endswith("Z")
    assert parse_qs(urlsplit(link["url"]).query)["preview"] == [link["token"]]
    response = client.get(urlsplit(link["url"]).path, query_string={"preview": link["token"]})
    assert response.status_code == 200
    article = response.get_json()
    assert article["title"] == DRAFT["title"] and "Walk every day" in article["body_html"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_edits_made_after_the_token_was_issued_show_in_the_preview(client, editor, draft):
    link = token_for_draft(client, editor, draft)
    client.put(f"/api/v1/articles/{draft}", json={"title": "First rib resection: recovery"}, headers=editor)
    response = client.get(f"/api/v1/articles/{draft}", query_string={"preview": link["token"]})
    assert response.get_json()["title"] == "First rib resection: recovery"


def test_a_token_for_another_article_a_tampered_one_or_garbage_gets_404(client, editor, draft):
    other = client.post("/api/v1/articles", json={**DRAFT, "slug": "another-draft"}, headers=editor)
    assert other.status_code == 201
    token = token_for_draft(client, editor, "another-draft")["token"]
    for bad in (token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "", "x" * 600, "a.b.c", "\x00"):
        response = client.get(f"/api/v1/articles/{draft}", query_string={"preview": bad})
        assert response.status_code == 404, bad
        assert response.get_json()["error"]["code"] == "not_found"


def test_an_expired_token_gets_404(client, editor, draft, monkeypatch):
    day_and_more_ago = int(time.time()) - 25 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: day_and_more_ago)
    token = token_for_draft(client, editor, draft)["token"]
    monkeypatch.undo()
    assert client.get(f"/api/v1/articles/{draft}", query_string={"preview": token}).status_code == 404


def test_only_editors_may_mint_preview_tokens(client, draft, token_for):
    assert client.post(f"/api/v1/articles/{draft}/preview-token").status_code == 401
    assert client.post(f"/api/v1/articles/{draft}/preview-token", headers=token_for("surgeon")).status_code == 403
    assert client.post("/api/v1/articles/no-such-article/preview-token",
                       headers=token_for("admin")).status_code == 404


def test_the_front_end_template_gets_the_slug_and_token(app, client, editor, draft):
    app.config["PREVIEW_URL_TEMPLATE"] = "https://www.clinic.example/preview/{slug}?token={token}&x={unknown}"
    link = token_for_draft(client, editor, draft)
    assert link["url"] == f"https://www.clinic.example/preview/{draft}?token={link['token']}&x={{unknown}}"
