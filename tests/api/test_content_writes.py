"""Staff writes through /api/v1: auth, every error shape, publish/schedule, revisions, rollback."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from service.staff.models import utcnow

NEW = {"slug": "cauda-equina", "title": "Cauda equina syndrome", "summary": "An emergency.",
       "body": "## Act fast\n\nCall 999.", "section": "back-and-leg-pain", "tags": ["red-flags", "emergency"]}


def error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"])
    return body["error"]


def test_writes_need_a_bearer_token(client, demo):
    for method, url in [("post", "/api/v1/articles"), ("put", "/api/v1/articles/meningioma"),
                        ("delete", "/api/v1/articles/meningioma"), ("post", "/api/v1/faqs"),
                        ("get", "/api/v1/articles/meningioma/revisions")]:
        response = getattr(client, method)(url, json=NEW)
        assert response.status_code == 401, url
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        error(response)


@pytest.mark.parametrize("header", ["Bearer ndk_wrong", "Bearer ", "Basic dXNlcjpwYXNz", "ndk_token", "Bearer " + "x" * 500])
def test_invalid_tokens_are_401_even_on_reads(client, demo, header):
    response = client.get("/api/v1/articles", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_surgeons_may_not_edit_content(client, demo, token_for):
    response = client.post("/api/v1/articles", json=NEW, headers=token_for("surgeon"))
    assert response.status_code == 403
    assert error(response)["code"] == "forbidden"


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_admins_and_coordinators_create_articles(client, demo, token_for, role):
    response = client.post("/api/v1/articles", json=NEW, headers=token_for(role))
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith("/api/v1/articles/cauda-equina")
    body = response.get_json()
    assert body["status"] == "draft" and body["version"] == 1
    assert body["tags"] == [{"slug": "emergency", "name": "Emergency"}, {"slug": "red-flags", "name": "Red flags"}]
    assert client.get("/api/v1/articles/cauda-equina").status_code == 404  # a draft


def test_publish_schedule_unpublish_through_put(client, demo, editor):
    client.post("/api/v1/articles", json=NEW, headers=editor)
    later = (utcnow() + timedelta(hours=3)).isoformat() + "Z"
    scheduled = client.put("/api/v1/articles/cauda-equina", json={"status": "published", "published_at": later}, headers=editor)
    assert scheduled.status_code == 200 and scheduled.get_json()["status"] == "scheduled"
    assert client.get("/api/v1/articles/cauda-equina").status_code == 404
    now = client.put("/api/v1/articles/cauda-equina", json={"published_at": None, "status": "published"}, headers=editor)
    assert now.get_json()["status"] == "published"
    assert client.get("/api/v1/articles/cauda-equina").status_code == 200
    client.put("/api/v1/articles/cauda-equina", json={"status": "draft"}, headers=editor)
    assert client.get("/api/v1/articles/cauda-equina").status_code == 404


def test_revisions_and_rollback(client, demo, editor):
    client.post("/api/v1/articles", json=NEW, headers=editor)
    client.put("/api/v1/articles/cauda-equina", json={"title": "Changed", "note": "typo"}, headers=editor)
    revisions = client.get("/api/v1/articles/cauda-equina/revisions", headers=editor).get_json()
    assert [r["number"] for r in revisions["items"]] == [2, 1]
    assert revisions["items"][0]["note"] == "typo"
    rolled = client.post("/api/v1/articles/cauda-equina/rollback", json={"revision": 1}, headers=editor)
    assert rolled.status_code == 200
    assert rolled.get_json()["title"] == NEW["title"] and rolled.get_json()["version"] == 3
    assert client.post("/api/v1/articles/cauda-equina/rollback", json={"revision": 42}, headers=editor).status_code == 404
    bad = client.post("/api/v1/articles/cauda-equina/rollback", json={"revision": "1", "x": 1}, headers=editor)
    assert bad.status_code == 422 and set(error(bad)["fields"]) == {"revision", "x"}


def test_slug_rename_through_put_redirects(client, demo, editor):
    response = client.put("/api/v1/articles/meningioma", json={"slug": "meningioma-guide"}, headers=editor)
    assert response.status_code == 200
    moved = client.get("/api/v1/articles/meningioma")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/articles/meningioma-guide")


def test_delete_article(client, demo, editor):
    assert client.delete("/api/v1/articles/meningioma", headers=editor).status_code == 204
    assert client.get("/api/v1/articles/meningioma").status_code == 404
    assert client.delete("/api/v1/articles/meningioma", headers=editor).status_code == 404


def test_duplicate_slug_is_409(client, demo, editor):
    response = client.post("/api/v1/articles", json={"slug": "meningioma", "title": "Again"}, headers=editor)
    assert response.status_code == 409
    assert "slug" in error(response)["fields"]


def test_validation_is_422_with_every_field_named(client, demo, editor):
    response = client.post("/api/v1/articles", json={"slug": "Bad Slug", "title": "", "colour": "red",
                                                    "published_at": "soon", "tags": "x"}, headers=editor)
    assert response.status_code == 422
    fields = error(response)["fields"]
    assert {"slug", "title", "colour", "published_at", "tags"} <= set(fields)


@pytest.mark.parametrize("body, content_type, status", [
    ("{not json", "application/json", 400),
    ('{"slug": "a", ', "application/json", 400),
    (b"\xff\xfe", "application/json", 400),
    ("[1, 2]", "application/json", 422),
    ('"text"', "application/json", 422),
    ("null", "application/json", 422),
    ("slug=a&title=b", "application/x-www-form-urlencoded", 415),
    (json.dumps(NEW), "text/plain", 415),
    (json.dumps(NEW), None, 415),
    ("[" * 100_000 + "]" * 100_000, "application/json", 400),
])
def test_malformed_bodies_are_client_errors(client, demo, editor, body, content_type, status):
    headers = dict(editor)
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post("/api/v1/articles", data=body, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)[:200]
    error(response)


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 10_000}])
def test_oversized_body_is_413(client, demo, editor):
    response = client.post("/api/v1/articles", json={**NEW, "body": "x" * 20_000}, headers=editor)
    assert response.status_code == 413
    error(response)


@pytest.mark.parametrize("query, field", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=abc", "limit"), ("limit=1e3", "limit"),
    ("offset=-1", "offset"), ("offset=99999999999999999999999", "offset"), ("order=random", "order"),
    ("fields=slug,secret", "fields"),
])
def test_bad_query_parameters_are_400_naming_the_field(client, demo, query, field):
    response = client.get(f"/api/v1/articles?{query}")
    assert response.status_code == 400
    assert field in error(response)["fields"]
    if field == "fields":
        assert "secret" in error(response)["message"]


def test_staff_fields_are_not_offered_publicly(client, demo, editor):
    assert client.get("/api/v1/articles?fields=body_md").status_code == 400
    assert client.get("/api/v1/articles?fields=body_md", headers=editor).status_code == 200


def test_faq_crud(client, demo, editor):
    created = client.post("/api/v1/faqs", json={"question": "Can I drive after surgery?", "answer": "Ask us.",
                                                "topic": "spine", "section": "back-and-leg-pain"}, headers=editor)
    assert created.status_code == 201, created.get_json()
    faq = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/faqs/{faq['id']}")
    updated = client.put(f"/api/v1/faqs/{faq['id']}", json={"status": "draft"}, headers=editor)
    assert updated.get_json()["version"] == 2
    assert client.get(f"/api/v1/faqs/{faq['id']}").status_code == 404
    bad = client.put(f"/api/v1/faqs/{faq['id']}", json={"topic": "knees", "extra": 1}, headers=editor)
    assert bad.status_code == 422 and {"topic", "extra"} <= set(error(bad)["fields"])
    assert client.delete(f"/api/v1/faqs/{faq['id']}", headers=editor).status_code == 204
    assert client.delete(f"/api/v1/faqs/{faq['id']}", headers=editor).status_code == 404


def test_section_crud(client, demo, editor):
    created = client.post("/api/v1/sections", json={"slug": "spinal-tumours", "title": "Spinal Tumours", "topic": "spine"}, headers=editor)
    assert created.status_code == 201
    assert client.post("/api/v1/sections", json={"slug": "spinal-tumours", "title": "x", "topic": "spine"}, headers=editor).status_code == 409
    assert client.put("/api/v1/sections/spinal-tumours", json={"position": 9}, headers=editor).get_json()["position"] == 9
    assert client.delete("/api/v1/sections/spinal-tumours", headers=editor).status_code == 204


def test_wrong_method_is_405_json(client, demo):
    response = client.patch("/api/v1/articles/meningioma")
    assert response.status_code == 405
    error(response)
