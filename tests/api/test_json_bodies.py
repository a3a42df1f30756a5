"""Every JSON endpoint bounds nesting (400) and size (413) in the API's error shape, never a 500.

Regression for issue 17 V3: POST /api/v1/questions with JSON nested 5,000 deep answered 500
(900 deep: 422).
"""
from __future__ import annotations

import json

import pytest

from service.json_bodies import MAX_DEPTH
from service.tickets.api import MAX_BODY_BYTES
from tests.tickets.conftest import celery_config

QUESTION = "My lower back hurts and the pain goes down my left leg."


@pytest.fixture(params=["limits off", "limits on"])
def app_config(request):
    # With limits on, the per-email limit reads the body before the view does (the V3 path).
    return {"CELERY": celery_config(), "RATELIMIT_ENABLED": request.param == "limits on"}


def nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


def post_raw(client, url: str, body: str | bytes, headers: dict[str, str] | None = None):
    return client.post(url, data=body, content_type="application/json", headers=headers or {})


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


@pytest.mark.parametrize("depth", [5000, 900, MAX_DEPTH + 1])
def test_a_question_nested_too_deep_is_a_400_saying_so(client, depth):
    error = assert_error(post_raw(client, "/api/v1/questions", nested(depth)), 400, "json_too_deep")
    assert str(MAX_DEPTH) in error["message"] and "_body" in error["fields"]
    body = '{"name": "Ann", "email": "ann@example.test", "consent": true, "question": ' + nested(depth, '"x"') + "}"
    assert_error(post_raw(client, "/api/v1/questions", body), 400, "json_too_deep")


def test_nesting_up_to_the_limit_is_read_and_judged_as_usual(client):
    body = {"name": json.loads(nested(MAX_DEPTH - 1)), "email": "ann@example.test", "question": QUESTION,
            "consent": True}
    error = assert_error(client.post("/api/v1/questions", json=body), 422, "validation_failed")
    assert error["fields"] == {"name": ["Must be a string."]}


def test_brackets_inside_text_are_not_nesting(client):
    question = "Brackets [[[[{{{{ are text here " + "[" * 200
    response = client.post("/api/v1/questions", json={
        "name": "Ann", "email": "ann@example.test", "question": question, "consent": True})
    assert response.status_code == 202


def test_a_question_body_over_its_limit_is_a_413_in_the_api_shape(client):
    body = json.dumps({"name": "Ann", "email": "ann@example.test", "question": "x" * MAX_BODY_BYTES, "consent": True})
    error = assert_error(post_raw(client, "/api/v1/questions", body), 413, "payload_too_large")
    assert str(MAX_BODY_BYTES) in error["message"]


def test_the_longest_valid_question_fully_escaped_still_fits(client):
    body = json.dumps({"name": "Ä" * 120, "email": "ann@example.test", "question": "\U0001F9E0" * 5000,
                       "consent": True}, ensure_ascii=True)
    assert len(body) < MAX_BODY_BYTES
    assert post_raw(client, "/api/v1/questions", body).status_code == 202


def test_content_writes_refuse_deep_nesting_and_keep_their_larger_size_limit(client, editor):
    deep = '{"title": "Deep", "tags": ' + nested(5000, '"spine"') + "}"
    assert_error(post_raw(client, "/api/v1/articles", deep, editor), 400, "json_too_deep")
    long_article = {"title": "A long article", "slug": "a-long-article", "body_md": "Back pain. " * 15_000}
    assert len(json.dumps(long_article)) > MAX_BODY_BYTES
    assert client.post("/api/v1/articles", json=long_article, headers=editor).status_code == 201
    too_big = json.dumps({"title": "Too big", "body_md": "x" * (3 * 1024 * 1024)})
    assert_error(post_raw(client, "/api/v1/articles", too_big, editor), 413, "payload_too_large")
