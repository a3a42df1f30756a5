"""Conditional GETs: public pages revalidate cheaply; /ask is never shared between visitors."""
from __future__ import annotations

import pytest

from service.content import services
from service.extensions import db

PUBLIC_PAGES = ["/", "/sections/brain-tumours", "/articles/meningioma", "/tags/surgery",
                "/search?q=shunt", "/sitemap.xml"]


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_answers_304_while_content_is_unchanged(client, demo, path):
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag


def test_each_page_has_its_own_etag(client, demo):
    tags = {client.get(path).headers["ETag"] for path in PUBLIC_PAGES}
    assert len(tags) == len(PUBLIC_PAGES)
    assert client.get("/search?q=a").headers["ETag"] != client.get("/search?q=b").headers["ETag"]


def test_an_edit_changes_the_etag_so_readers_get_the_correction(client, demo):
    etag = client.get("/articles/meningioma").headers["ETag"]
    found = services.get_published_article("meningioma")
    services.update_article(found, {"summary": "Corrected summary."})
    db.session.commit()
    response = client.get("/articles/meningioma", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Corrected summary." in response.text
    assert response.headers["ETag"] != etag


def test_unpublishing_turns_a_cached_article_into_404(client, demo):
    etag = client.get("/articles/meningioma").headers["ETag"]
    services.unpublish_article(services.get_article("meningioma"))
    db.session.commit()
    assert client.get("/articles/meningioma", headers={"If-None-Match": etag}).status_code == 404


def test_ask_page_is_private_and_revalidates_only_for_the_same_session(app, client, demo):
    first = client.get("/ask")
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    # Same visitor: the page (and the CSRF token in it) is still good.
    assert client.get("/ask", headers={"If-None-Match": etag}).status_code == 304
    # Another visitor presenting that ETag gets a page with a token of their own.
    stranger = app.test_client()
    response = stranger.get("/ask", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert 'name="csrf_token"' in response.text


def test_error_pages_carry_no_etag(client, demo):
    response = client.get("/articles/nope")
    assert response.status_code == 404
    assert "ETag" not in response.headers
