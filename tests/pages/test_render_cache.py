"""Pages and API reads are rendered once per content version and never served stale.

Every test runs four ways: SQLite and PostgreSQL, each with the per-request freshness check done
by the database (no REDIS_URL, the embedded default) and by the Redis content token.
"""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

from service.content import services
from service.content.freshness import current_generation
from service.extensions import db
from service.staff.models import utcnow
from tests.pages.conftest import csrf_from
from tests.tickets.conftest import celery_config

ARTICLE = "/articles/meningioma"


@pytest.fixture(params=["database-check", "redis-token"])
def app_config(request):
    config = {"WTF_CSRF_ENABLED": True, "CELERY": celery_config()}
    if request.param == "redis-token":
        config["REDIS_URL"] = request.getfixturevalue("redis_url")
    return config


def new_article(slug: str, **fields) -> None:
    section = services.list_sections()[0]
    services.create_article({"slug": slug, "title": f"Title of {slug}", "summary": "A new guide.",
                             "body": "Text of the new guide.", "section": section.slug, **fields})
    db.session.commit()


def test_a_stored_page_is_served_from_memory_while_content_is_unchanged(app, client, demo):
    first = client.get(ARTICLE)
    generation = current_generation()
    assert ("page", ARTICLE + "?") in generation.entries
    assert (generation.token is not None) == bool(app.config.get("REDIS_URL"))
    again = client.get(ARTICLE)
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]


def test_an_edit_shows_on_the_very_next_request(client, demo):
    assert "Corrected summary." not in client.get(ARTICLE).text  # now stored
    services.update_article(services.get_published_article("meningioma"), {"summary": "Corrected summary."})
    db.session.commit()
    assert "Corrected summary." in client.get(ARTICLE).text
    assert "Corrected summary." in client.get("/api/v1/articles?fields=slug,summary").text


def test_publishing_shows_the_article_on_the_next_request_and_in_lists(client, demo):
    new_article("fresh-guide")
    assert client.get("/articles/fresh-guide").status_code == 404
    listed = client.get("/api/v1/articles?limit=100").get_json()["meta"]["total_count"]
    services.publish_article(services.get_article("fresh-guide"))
    db.session.commit()
    assert client.get("/articles/fresh-guide").status_code == 200
    assert client.get("/api/v1/articles?limit=100").get_json()["meta"]["total_count"] == listed + 1


def test_unpublishing_is_a_404_on_the_next_request(client, demo):
    assert client.get(ARTICLE).status_code == 200
    assert client.get("/api/v1/articles/meningioma").status_code == 200
    services.unpublish_article(services.get_article("meningioma"))
    db.session.commit()
    assert client.get(ARTICLE).status_code == 404
    assert client.get("/api/v1/articles/meningioma").status_code == 404


def test_a_rolled_back_edit_does_not_change_the_version(client, demo):
    etag = client.get(ARTICLE).headers["ETag"]
    services.update_article(services.get_published_article("meningioma"), {"summary": "Never saved."})
    db.session.rollback()
    assert client.get(ARTICLE, headers={"If-None-Match": etag}).status_code == 304


def test_a_scheduled_article_appears_when_its_time_passes_without_any_write(client, demo):
    new_article("scheduled-guide")
    services.schedule_article(services.get_article("scheduled-guide"), utcnow() + timedelta(seconds=1.5))
    db.session.commit()
    assert client.get("/articles/scheduled-guide").status_code == 404
    home = client.get("/")
    assert "scheduled-guide" not in home.text
    deadline = time.monotonic() + 15
    while client.get("/articles/scheduled-guide").status_code != 200:
        assert time.monotonic() < deadline, "the scheduled article never went live"
        time.sleep(0.1)
    # Pages stored before the publish time are renewed too, and their ETag moved.
    after = client.get("/", headers={"If-None-Match": home.headers["ETag"]})
    assert after.status_code == 200 and "scheduled-guide" in after.text


def test_304_path_for_pages_and_api_while_unchanged(client, demo):
    for path in (ARTICLE, "/api/v1/articles"):
        etag = client.get(path).headers["ETag"]
        response = client.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 304 and response.data == b""


def test_public_pages_without_a_cookie_do_not_vary_on_it_or_set_one(app, demo):
    for path in (ARTICLE, ARTICLE, "/", "/api/v1/articles"):
        response = app.test_client().get(path)
        assert response.status_code == 200
        assert "Cookie" not in response.vary
        assert "Set-Cookie" not in response.headers


def test_ask_gives_each_session_its_own_token_from_the_stored_page(app, demo):
    ann, bob = app.test_client(), app.test_client()
    ann_page = ann.get("/ask")
    assert ("session-page", "/ask?") in current_generation().entries
    bob_page = bob.get("/ask")  # served from the stored render
    ann_token, bob_token = csrf_from(ann_page.text), csrf_from(bob_page.text)
    assert ann_token != bob_token
    assert "csrf-placeholder" not in ann_page.text + bob_page.text
    assert ann_page.headers["Cache-Control"] == "private, no-cache" and "Cookie" in ann_page.vary
    # Each token is good for its own session only.
    form = {"name": "Bob Patient", "email": "bob@example.test", "topic": "", "consent": "y", "website": "",
            "question": "My lower back hurts when I walk far. Which guide should I read first?"}
    assert bob.post("/ask", data={**form, "csrf_token": ann_token}).status_code in (200, 400)
    assert bob.post("/ask", data={**form, "csrf_token": bob_token}).status_code == 303


def test_a_session_cookie_with_flashed_messages_gets_its_own_uncached_page(app, demo):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Only for you.")]
    response = client.get(ARTICLE)
    assert "Only for you." in response.text
    assert response.headers["Cache-Control"] == "private, no-store" and "ETag" not in response.headers
    assert "Only for you." not in app.test_client().get(ARTICLE).text


def test_an_edit_made_outside_the_app_shows_after_refresh_caches(client, runner, demo):
    from sqlalchemy import text

    assert "Edited in psql." not in client.get(ARTICLE).text  # now stored
    db.session.execute(text("UPDATE article SET summary = 'Edited in psql.' WHERE slug = 'meningioma'"))
    db.session.commit()
    assert "Edited in psql." not in client.get(ARTICLE).text  # the app cannot know yet
    result = runner.invoke(args=["content", "refresh-caches"])
    assert result.exit_code == 0, result.output
    assert "Edited in psql." in client.get(ARTICLE).text
    assert "Edited in psql." in client.get("/api/v1/articles/meningioma").text
