"""Public reads of /api/v1: shapes, filters, fields, order, redirects, drafts, caching."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from service.content import services
from service.extensions import db
from service.staff.models import utcnow

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_article_list_shape_and_paging(client, demo):
    body = client.get("/api/v1/articles?limit=3&offset=2").get_json()
    assert body["meta"]["total_count"] == 10
    assert len(body["items"]) == 3
    item = body["items"][0]
    assert set(item) == {"slug", "title", "summary", "body_html", "section", "tags", "published_at", "updated_at", "url"}
    assert set(item["section"]) == {"slug", "title", "topic"}
    assert all(set(t) == {"slug", "name"} for t in item["tags"])
    first_page = client.get("/api/v1/articles?limit=2").get_json()["items"]
    assert first_page[0]["slug"] != item["slug"]


def test_one_article(client, demo):
    response = client.get("/api/v1/articles/meningioma")
    assert response.status_code == 200
    article = response.get_json()
    assert article["slug"] == "meningioma"
    assert article["url"] == "http://127.0.0.1:5000/articles/meningioma"
    assert ISO_Z.match(article["published_at"]) and ISO_Z.match(article["updated_at"])
    assert article["section"] == {"slug": "brain-tumours", "title": "Brain Tumours", "topic": "brain"}
    assert "<h2 id=" in article["body_html"]


@pytest.mark.parametrize("app_config", [{"PUBLIC_BASE_URL": "https://clinic.example"}])
def test_urls_use_the_public_base_url(client, demo):
    assert client.get("/api/v1/articles/meningioma").get_json()["url"] == "https://clinic.example/articles/meningioma"


def test_filters_section_tag_search(client, demo):
    body = client.get("/api/v1/articles?section=back-and-leg-pain&limit=100").get_json()
    assert body["meta"]["total_count"] == 4
    assert {i["section"]["slug"] for i in body["items"]} == {"back-and-leg-pain"}
    body = client.get("/api/v1/articles?tag=red-flags&limit=100").get_json()
    assert body["items"] and all("red-flags" in [t["slug"] for t in i["tags"]] for i in body["items"])
    body = client.get("/api/v1/articles?search=sciatica&fields=slug").get_json()
    assert {"slug": "lumbar-disc-herniation-and-sciatica"} in body["items"]
    assert client.get("/api/v1/articles?section=nowhere").get_json() == {
        "meta": {"total_count": 0, "limit": 20, "offset": 0, "next_cursor": None, "next": None}, "items": []}


def test_order_by_title_and_fields(client, demo):
    body = client.get("/api/v1/articles?order=title&fields=title,slug&limit=100").get_json()
    titles = [i["title"] for i in body["items"]]
    assert titles == sorted(titles, key=str.lower)
    assert all(set(i) == {"title", "slug"} for i in body["items"])
    newest = client.get("/api/v1/articles?fields=published_at&limit=100").get_json()["items"]
    stamps = [i["published_at"] for i in newest]
    assert stamps == sorted(stamps, reverse=True)


def test_sections_tags_faqs(client, demo):
    sections = client.get("/api/v1/sections").get_json()
    assert sections["meta"]["total_count"] == 6
    assert {"slug", "title", "topic", "description", "article_count", "url"} <= set(sections["items"][0])
    assert client.get("/api/v1/sections/facial-pain").get_json()["topic"] == "brain"
    assert client.get("/api/v1/sections/nope").status_code == 404
    tags = client.get("/api/v1/tags").get_json()
    assert tags["items"][0]["article_count"] >= tags["items"][-1]["article_count"] > 0
    faqs = client.get("/api/v1/faqs?tag=spine").get_json()
    assert faqs["items"] and {f["topic"] for f in faqs["items"]} == {"spine"}
    assert faqs["meta"]["total_count"] == len(faqs["items"])
    by_section = client.get("/api/v1/faqs?section=facial-pain").get_json()["items"]
    assert by_section and {f["section"]["slug"] for f in by_section} == {"facial-pain"}
    one = client.get(f"/api/v1/faqs/{faqs['items'][0]['id']}").get_json()
    assert one["question"].endswith("?") and one["answer_html"].startswith("<p>")
    assert client.get("/api/v1/faqs/999999").status_code == 404
    assert client.get("/api/v1/faqs/99999999999999999999").status_code == 404
    assert client.get("/api/v1/faqs?tag=knees").status_code == 400


def test_search_endpoint_ranks_articles_and_faqs(client, demo):
    body = client.get("/api/v1/search?q=numb+hand+overhead").get_json()
    first = body["items"][0]
    assert first["type"] == "faq" and first["question"] == first["title"]
    assert first["url"].startswith("http://127.0.0.1:5000/ask#faq-")
    assert {"type", "title", "url", "snippet", "score"} <= set(first)
    assert "article" in {i["type"] for i in body["items"]}
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert client.get("/api/v1/search").get_json() == {"meta": {"total_count": 0}, "items": []}
    assert client.get('/api/v1/search?q="NEAR(*').status_code == 200


def test_renamed_slug_answers_301_to_the_new_api_url(client, demo):
    services.update_article(services.get_article("meningioma"), {"slug": "meningioma-guide"})
    db.session.commit()
    response = client.get("/api/v1/articles/meningioma")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/api/v1/articles/meningioma-guide")
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize("slug", ["nope", "a" * 121, "a" * 5000, "UPPER", "x%00y", "..", "a--b"])
def test_unknown_or_malformed_slugs_are_404_json(client, demo, slug):
    response = client.get(f"/api/v1/articles/{slug}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_drafts_and_scheduled_articles_are_invisible_without_a_token(client, demo, editor):
    services.unpublish_article(services.get_article("meningioma"))
    services.schedule_article(services.get_article("trigeminal-neuralgia"), utcnow() + timedelta(days=1))
    db.session.commit()
    for slug in ("meningioma", "trigeminal-neuralgia"):
        assert client.get(f"/api/v1/articles/{slug}").status_code == 404
    listed = client.get("/api/v1/articles?limit=100&status=draft").get_json()
    assert listed["meta"]["total_count"] == 8
    assert {"meningioma", "trigeminal-neuralgia"}.isdisjoint(i["slug"] for i in listed["items"])
    # With a token: drafts are there, with their state.
    staff_view = client.get("/api/v1/articles/meningioma", headers=editor)
    assert staff_view.status_code == 200 and staff_view.get_json()["status"] == "draft"
    assert staff_view.headers["Cache-Control"].startswith("private")
    drafts = client.get("/api/v1/articles?status=draft", headers=editor).get_json()
    assert [i["slug"] for i in drafts["items"]] == ["meningioma"]
    scheduled = client.get("/api/v1/articles?status=scheduled", headers=editor).get_json()
    assert [i["slug"] for i in scheduled["items"]] == ["trigeminal-neuralgia"]


def test_draft_faqs_are_invisible_without_a_token(client, demo, editor):
    faq = services.list_faqs(topic="tos")[0][0]
    services.update_faq(faq, {"status": "draft"})
    db.session.commit()
    assert client.get(f"/api/v1/faqs/{faq.id}").status_code == 404
    assert faq.id not in [f["id"] for f in client.get("/api/v1/faqs?tag=tos").get_json()["items"]]
    assert client.get(f"/api/v1/faqs/{faq.id}", headers=editor).get_json()["status"] == "draft"


def test_etag_and_304_until_content_changes(client, demo):
    first = client.get("/api/v1/articles")
    assert first.headers["Cache-Control"] == "public, no-cache"
    etag = first.headers["ETag"]
    again = client.get("/api/v1/articles", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert client.get("/api/v1/articles?limit=5", headers={"If-None-Match": etag}).status_code == 200
    services.update_article(services.get_article("meningioma"), {"summary": "Changed."})
    db.session.commit()
    assert client.get("/api/v1/articles", headers={"If-None-Match": etag}).status_code == 200
    for url in ("/api/v1/articles/meningioma", "/api/v1/sections", "/api/v1/tags", "/api/v1/faqs", "/api/v1/search?q=pain"):
        response = client.get(url)
        assert response.headers.get("ETag"), url
        assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304, url
