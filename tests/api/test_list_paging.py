"""Walking the API's lists: `limit`/`offset` for the first pages, `after` (meta.next_cursor) at any depth."""
from __future__ import annotations

import base64
import json

import pytest

from service.content import services
from service.content.api_support import MAX_OFFSET
from service.extensions import db


def error(response) -> dict:
    assert response.is_json, response.text[:200]
    return response.get_json()["error"]


def walk(client, url: str, headers=None) -> list[dict]:
    """Every item from `url` on, following meta.next until it is null."""
    items, pages = [], 0
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        items += body["items"]
        assert (body["meta"]["next"] is None) == (body["meta"]["next_cursor"] is None)
        url, pages = body["meta"]["next"], pages + 1
        assert pages < 100
    return items


def publish(slug: str, title: str, **fields) -> None:
    services.create_article({"slug": slug, "title": title, "body_md": "Text.", "status": "published", **fields})
    db.session.commit()


def test_an_offset_past_the_limit_is_a_400_that_points_at_after(client, demo):
    assert client.get(f"/api/v1/articles?offset={MAX_OFFSET}").status_code == 200
    response = client.get(f"/api/v1/articles?offset={MAX_OFFSET + 1}")
    assert response.status_code == 400
    assert "after=" in error(response)["fields"]["offset"][0]
    assert client.get(f"/api/v1/faqs?offset={MAX_OFFSET + 1}").status_code == 400


@pytest.mark.parametrize("order", ["-published_at", "title"])
def test_following_next_lists_every_article_once_in_order(client, demo, order):
    publish("eclampsie", "Éclampsie et grossesse")
    publish("zz-istanbul", "İstanbul clinic notes")
    publish("ubung", "Übungen für den Rücken")
    everything = client.get(f"/api/v1/articles?order={order}&limit=100&fields=slug").get_json()["items"]
    walked = walk(client, f"/api/v1/articles?order={order}&limit=3&fields=slug")
    assert walked == everything and len(walked) == 13
    first = client.get(f"/api/v1/articles?order={order}&limit=3").get_json()
    assert first["meta"]["next"].startswith("/api/v1/articles?") and "after=" in first["meta"]["next"]
    assert first["meta"]["total_count"] == 13


def test_a_walk_is_not_shifted_by_an_article_published_meanwhile(client, demo):
    first = client.get("/api/v1/articles?limit=4&fields=slug").get_json()
    publish("breaking-news", "Breaking news")  # the newest: lands on page 1, before the walk's position
    rest = walk(client, first["meta"]["next"])
    slugs = [i["slug"] for i in first["items"] + rest]
    assert len(slugs) == len(set(slugs)) == 10 and "breaking-news" not in slugs


def test_staff_walk_through_drafts_without_a_publish_time(client, demo, token_for):
    headers = token_for("coordinator")
    for n in range(5):
        services.create_article({"slug": f"draft-{n}", "title": f"Draft {n}", "body_md": "x"})
    db.session.commit()
    everything = client.get("/api/v1/articles?status=all&limit=100&fields=slug", headers=headers).get_json()["items"]
    walked = walk(client, "/api/v1/articles?status=all&limit=4&fields=slug", headers=headers)
    assert walked == everything and len(walked) == 15


def test_following_next_lists_every_faq_once_with_and_without_sections(client, demo):
    for n in range(7):
        services.create_faq({"question": f"Loose question {n}?", "answer": "Yes.", "topic": "spine", "position": n % 3})
    db.session.commit()
    everything = client.get("/api/v1/faqs?limit=100").get_json()
    walked = walk(client, "/api/v1/faqs?limit=4")
    assert [f["id"] for f in walked] == [f["id"] for f in everything["items"]]
    assert len(walked) == everything["meta"]["total_count"]
    spine = walk(client, "/api/v1/faqs?tag=spine&limit=3")
    assert {f["topic"] for f in spine} == {"spine"} and len({f["id"] for f in spine}) == len(spine)


def cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("query", [
    "after=", "after=garbage", "after=" + "x" * 401, "after=" + cursor(["title", 3]),
    "after=" + cursor(["2025-01-01T00:00:00", "3"]), "after=" + cursor([None, 2**64]),
    "after=" + cursor(["2025-01-01T00:00:00", 3]) + "&offset=20",
])
def test_a_bad_cursor_is_a_400_naming_it(client, demo, query):
    response = client.get(f"/api/v1/articles?{query}")
    assert response.status_code == 400
    assert set(error(response)["fields"]) & {"after", "offset"}


def test_the_openapi_document_describes_after_and_the_offset_limit(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/articles", "/faqs"):
        params = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        assert params["offset"]["schema"]["maximum"] == MAX_OFFSET
        assert params["after"]["schema"]["type"] == "string"
