"""Anonymous answers replayed ahead of Flask (service/content/page_replay.py).

What a visitor or operator would notice if the replay were wrong: a different header or body
than Flask itself sends, a stale page after a publish, a draft leaking to the public, a form
token that does not work, a missing access-log line. Every test runs on SQLite and PostgreSQL,
with the Redis content token (without Redis nothing is replayed).
"""
from __future__ import annotations

import json
import logging
import re
from http.cookies import SimpleCookie

import pytest
from flask import Flask
from sqlalchemy import func, select

from service.content import services
from service.extensions import db
from service.tickets.models import Ticket
from tests.pages.conftest import csrf_from
from tests.tickets.conftest import celery_config

ARTICLE = "/articles/meningioma"
PUBLIC_READS = [ARTICLE, "/", "/api/v1/articles", "/api/v1/articles?fields=slug,title&limit=3", "/sitemap.xml"]


@pytest.fixture
def app_config(redis_url):
    return {"WTF_CSRF_ENABLED": True, "CELERY": celery_config(), "REDIS_URL": redis_url}


@pytest.fixture
def flask_requests(app: Flask) -> list[str]:
    """Paths of the requests that reached Flask's request handling (replayed ones never do)."""
    seen: list[str] = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append(_path()))
    return seen


def _path() -> str:
    from flask import request

    return request.full_path.rstrip("?")


@pytest.fixture
def visitor(app: Flask):
    """A browser with no cookies: every request is a first visit."""
    return app.test_client(use_cookies=False)


def _headers_without_request_id(response) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in response.headers.items() if k != "X-Request-ID")


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_a_replayed_answer_is_exactly_what_flask_sent(visitor, demo, flask_requests, path):
    rendered = visitor.get(path)
    replayed = [visitor.get(path) for _ in range(3)]
    assert rendered.status_code == 200
    assert flask_requests.count(path) == 1  # the next three never reached Flask
    for again in replayed:
        assert again.status_code == 200
        assert again.data == rendered.data
        assert _headers_without_request_id(again) == _headers_without_request_id(rendered)
    ids = {r.headers["X-Request-ID"] for r in [rendered, *replayed]}
    assert len(ids) == 4  # each answer has its own request id


def test_a_matching_if_none_match_is_replayed_as_304_and_a_stale_one_gets_the_page(visitor, demo, flask_requests):
    etag = visitor.get(ARTICLE).headers["ETag"]
    first = visitor.get(ARTICLE, headers={"If-None-Match": etag})
    second = visitor.get(ARTICLE, headers={"If-None-Match": etag})
    assert first.status_code == second.status_code == 304 and second.data == b""
    assert _headers_without_request_id(first) == _headers_without_request_id(second)
    assert flask_requests.count(ARTICLE) == 2  # the page, then the first 304
    stale = visitor.get(ARTICLE, headers={"If-None-Match": '"not-the-current-version"'})
    assert stale.status_code == 200 and b"Meningioma" in stale.data


def test_an_edit_shows_on_the_next_request_after_replays(visitor, demo):
    for _ in range(3):
        assert "Corrected summary." not in visitor.get(ARTICLE).text
    services.update_article(services.get_published_article("meningioma"), {"summary": "Corrected summary."})
    db.session.commit()
    assert "Corrected summary." in visitor.get(ARTICLE).text
    assert "Corrected summary." in visitor.get(ARTICLE).text


def test_a_visitor_with_a_client_request_id_gets_it_back(visitor, demo):
    visitor.get(ARTICLE)
    answer = visitor.get(ARTICLE, headers={"X-Request-ID": "lb-trace-0001"})
    assert answer.headers["X-Request-ID"] == "lb-trace-0001"
    forged = visitor.get(ARTICLE, headers={"X-Request-ID": 'bad"id; X: y'})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])


def test_replayed_requests_are_in_the_access_log_without_their_query(visitor, demo, caplog):
    visitor.get("/api/v1/articles?q=my+private+symptom")
    with caplog.at_level(logging.INFO, logger="neurodesk.access"):
        answer = visitor.get("/api/v1/articles?q=my+private+symptom")
    lines = [r for r in caplog.records if r.name == "neurodesk.access"]
    assert len(lines) == 1
    assert lines[0].request_id == answer.headers["X-Request-ID"]
    assert lines[0].fields["path"] == "/api/v1/articles" and lines[0].fields["status"] == 200
    assert "symptom" not in json.dumps(lines[0].fields)


def test_staff_with_a_token_are_never_served_the_public_copy(app, visitor, demo, make_staff):
    new = services.create_article({"slug": "draft-guide", "title": "A draft guide", "summary": "Not yet.",
                                   "body": "Draft.", "section": services.list_sections()[0].slug})
    db.session.commit()
    for _ in range(2):
        public = visitor.get("/api/v1/articles?limit=100").get_json()
        assert new.slug not in [a["slug"] for a in public["items"]]
    token = _api_token(app, make_staff)
    staff = visitor.get("/api/v1/articles?limit=100&status=draft", headers={"Authorization": f"Bearer {token}"})
    assert staff.status_code == 200 and "draft-guide" in [a["slug"] for a in staff.get_json()["items"]]
    assert staff.headers["Cache-Control"] == "private, no-cache"


def _api_token(app: Flask, make_staff) -> str:
    from service.staff.services import issue_api_token

    staff = make_staff("editor@example.test", role="coordinator")
    token = issue_api_token(staff, "test")
    db.session.commit()
    return token


def _cookie(response) -> tuple[str, str]:
    cookie = SimpleCookie(response.headers["Set-Cookie"])
    (name, morsel), = cookie.items()
    return name, morsel.value


def test_first_visitors_to_ask_each_get_their_own_working_session(app, visitor, demo, flask_requests):
    pages = [visitor.get("/ask") for _ in range(4)]
    assert flask_requests.count("/ask") == 1  # the other three were minted without Flask
    tokens = [csrf_from(p.text) for p in pages]
    cookies = [_cookie(p) for p in pages]
    assert len(set(tokens)) == 4 and len({c[1] for c in cookies}) == 4
    assert len({p.headers["ETag"] for p in pages}) == 4
    for page in pages:
        assert page.headers["Cache-Control"] == "private, no-cache"
        assert "Secure" not in page.headers["Set-Cookie"] or app.config["SESSION_COOKIE_SECURE"]
        assert "HttpOnly" in page.headers["Set-Cookie"]
    # The body is the same page, only the token differs.
    assert pages[3].text.replace(tokens[3], "T") == pages[0].text.replace(tokens[0], "T")

    for page, token, (name, value) in zip(pages[1:], tokens[1:], cookies[1:]):
        browser = app.test_client()
        browser.set_cookie(name, value)
        sent = browser.post("/ask", data={"csrf_token": token, "name": "Ann Patient", "email": "ann@example.test",
                                          "question": "My neck hurts and my fingers tingle at night, what helps?",
                                          "topic": "", "consent": "y", "website": ""})
        assert sent.status_code == 303, sent.text[:300]
    assert db.session.execute(select(func.count()).select_from(Ticket)).scalar_one() == 3


def test_a_minted_token_does_not_work_with_another_visitors_session(app, visitor, demo):
    first, second = visitor.get("/ask"), visitor.get("/ask")
    browser = app.test_client()
    browser.set_cookie(*_cookie(second))
    refused = browser.post("/ask", data={"csrf_token": csrf_from(first.text), "name": "Ann", "email": "a@example.test",
                                         "question": "A question long enough to count.", "consent": "y"})
    assert refused.status_code == 400
    assert db.session.execute(select(func.count()).select_from(Ticket)).scalar_one() == 0


def test_a_returning_visitor_with_a_session_goes_through_flask(app, demo, flask_requests):
    browser = app.test_client()  # keeps its cookie
    first = browser.get("/ask")
    again = browser.get("/ask")
    assert flask_requests.count("/ask") == 2
    assert csrf_from(first.text) == csrf_from(again.text)  # the same session's token
    assert browser.get("/ask", headers={"If-None-Match": again.headers["ETag"]}).status_code == 304
