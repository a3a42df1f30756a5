"""The content editor at /desk/content, driven through its forms with CSRF on."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from service.content import services
from service.staff.models import utcnow
from tests.pages.conftest import csrf_from, log_in


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def coordinator(client, make_staff, demo):
    make_staff(email="coord@clinic.test", name="Casey Coordinator", role="coordinator", specialties=())
    log_in(client, "coord@clinic.test")
    return client


def article_id(slug: str) -> int:
    return services.get_article(slug).id


def form_values(html: str) -> dict[str, str]:
    """The article form as a browser would submit it (inputs, selected options, textareas)."""
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if name and 'type="checkbox"' not in tag:
            value = re.search(r'value="([^"]*)"', tag)
            values[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, flags=re.S):
        values[name] = body.removeprefix("\n")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, flags=re.S):
        selected = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', body)
        values[name] = next(g for g in selected.groups() if g is not None) if selected else ""
    import html as html_lib

    return {k: html_lib.unescape(v) for k, v in values.items()}


def edit(client, which: str, action: str, /, **changes: str):
    """Open article `which` in the editor, change some fields, press the `action` button."""
    url = f"/desk/content/articles/{article_id(which)}"
    data = form_values(client.get(url).text)
    data.update(changes, action=action)
    return client.post(url, data=data)


def test_anonymous_visitors_are_sent_to_the_login_page(client, demo):
    response = client.get("/desk/content/")
    assert response.status_code == 302
    assert "/desk/login" in response.headers["Location"]


def test_surgeons_may_not_edit_content(client, make_staff, demo):
    make_staff(email="surgeon@clinic.test", role="surgeon")
    log_in(client, "surgeon@clinic.test")
    for path in ("/desk/content/", "/desk/content/articles/new", "/desk/content/sections", "/desk/content/faqs"):
        assert client.get(path).status_code == 403
    assert client.post("/desk/content/articles/new", data={}).status_code in (400, 403)


def test_list_shows_every_state(coordinator):
    services.create_article({"slug": "draft-one", "title": "Draft one"})
    services.create_article({"slug": "later-one", "title": "Later one", "status": "published",
                             "published_at": utcnow() + timedelta(days=1)})
    from service.extensions import db

    db.session.commit()
    html = coordinator.get("/desk/content/").text
    assert "Draft one" in html and "Later one" in html and "Meningioma" in html
    assert "state-draft" in html and "state-scheduled" in html and "state-published" in html
    drafts = coordinator.get("/desk/content/?status=draft").text
    assert "Draft one" in drafts and "Meningioma" not in drafts


def test_edit_and_publish_shows_the_change_on_the_public_page(coordinator):
    response = edit(coordinator, "meningioma", "publish", summary="Checked again by Dr Brain in November.")
    assert response.status_code == 303
    assert coordinator.get(response.headers["Location"]).status_code == 200
    assert "Checked again by Dr Brain in November." in coordinator.get("/articles/meningioma").text


def test_new_article_goes_from_draft_to_published(coordinator):
    page = coordinator.get("/desk/content/articles/new")
    response = coordinator.post("/desk/content/articles/new", data={
        "csrf_token": csrf_from(page.text), "title": "Walking after spine surgery", "slug": "",
        "section": "back-and-leg-pain", "summary": "How far and how soon.", "seo_description": "",
        "tags": "Recovery, walking", "body_md": "Walk a little **every day**.", "note": "", "publish_at": "",
        "action": "save",
    })
    assert response.status_code == 303
    assert coordinator.get("/articles/walking-after-spine-surgery").status_code == 404  # a draft
    response = edit(coordinator, "walking-after-spine-surgery", "publish")
    assert response.status_code == 303
    html = coordinator.get("/articles/walking-after-spine-surgery").text
    assert "<strong>every day</strong>" in html
    assert 'href="/tags/walking"' in html and 'href="/tags/recovery"' in html


def test_preview_renders_sanitised_html_without_saving(coordinator):
    before = services.get_article("meningioma").version
    response = edit(coordinator, "meningioma", "preview",
                    body_md="## New heading\n\n<script>alert(1)</script> **bold** [x](javascript:alert(2))")
    assert response.status_code == 200
    assert "Preview (not saved)" in response.text
    assert "<strong>bold</strong>" in response.text
    assert "<script>alert(1)" not in response.text and 'href="javascript:' not in response.text
    assert "## New heading" in response.text  # the typed Markdown stays in the textarea
    assert services.get_article("meningioma").version == before


def test_validation_errors_show_on_the_field_and_keep_the_typed_text(coordinator):
    response = edit(coordinator, "meningioma", "save", title="", summary="My unsaved summary", slug="Bad Slug!")
    assert response.status_code == 200
    html = response.text
    assert 'id="title-error"' in html and 'aria-describedby="title-error"' in html
    assert 'id="slug-error"' in html
    assert "My unsaved summary" in html
    assert services.get_article("meningioma").summary != "My unsaved summary"


def test_a_taken_slug_is_reported_on_the_slug_field(coordinator):
    response = edit(coordinator, "meningioma", "save", slug="trigeminal-neuralgia")
    assert response.status_code == 200
    assert 'id="slug-error"' in response.text and "Already in use" in response.text


def test_schedule_hides_the_article_until_its_time(coordinator):
    later = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = edit(coordinator, "meningioma", "schedule", publish_at=later)
    assert response.status_code == 303
    assert services.get_article("meningioma").state == "scheduled"
    assert coordinator.get("/articles/meningioma").status_code == 404


def test_schedule_in_the_past_is_refused_on_the_field(coordinator):
    past = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = edit(coordinator, "meningioma", "schedule", publish_at=past)
    assert response.status_code == 200
    assert 'id="publish_at-error"' in response.text
    assert services.get_article("meningioma").state == "published"


def test_unpublish_takes_the_article_off_the_site(coordinator):
    assert edit(coordinator, "meningioma", "unpublish").status_code == 303
    assert coordinator.get("/articles/meningioma").status_code == 404
    assert services.get_article("meningioma").state == "draft"


def test_renaming_in_the_editor_keeps_the_old_address_working(coordinator):
    assert edit(coordinator, "meningioma", "save", slug="meningioma-guide").status_code == 303
    response = coordinator.get("/articles/meningioma")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/articles/meningioma-guide")


def test_rollback_restores_an_earlier_revision(coordinator):
    original_title = services.get_article("meningioma").title
    edit(coordinator, "meningioma", "publish", title="Meningioma (wrong title)")
    assert "Meningioma (wrong title)" in coordinator.get("/articles/meningioma").text
    history_url = f"/desk/content/articles/{article_id('meningioma')}/revisions"
    history = coordinator.get(history_url).text
    assert "Roll back to this revision" in history
    response = coordinator.post(f"/desk/content/articles/{article_id('meningioma')}/revisions/1/rollback",
                                data={"csrf_token": csrf_from(history)})
    assert response.status_code == 303
    html = coordinator.get("/articles/meningioma").text
    assert f"<h1>{original_title}</h1>" in html
    assert services.get_article("meningioma").revisions[-1].note == "Rolled back to revision 1"


def test_rollback_to_a_missing_revision_is_404(coordinator):
    history = coordinator.get(f"/desk/content/articles/{article_id('meningioma')}/revisions").text
    response = coordinator.post(f"/desk/content/articles/{article_id('meningioma')}/revisions/99/rollback",
                                data={"csrf_token": csrf_from(history)})
    assert response.status_code == 404


def test_posts_without_a_csrf_token_are_refused(coordinator):
    url = f"/desk/content/articles/{article_id('meningioma')}"
    data = form_values(coordinator.get(url).text)
    data.pop("csrf_token")
    response = coordinator.post(url, data={**data, "title": "Forged", "action": "publish"})
    assert response.status_code == 400
    rollback = coordinator.post(f"{url}/revisions/1/rollback")
    assert rollback.status_code == 400
    assert services.get_article("meningioma").title != "Forged"


def test_sections_and_faqs_can_be_edited(coordinator):
    page = coordinator.get("/desk/content/sections/new")
    response = coordinator.post("/desk/content/sections/new", data={
        "csrf_token": csrf_from(page.text), "title": "Peripheral Nerves", "slug": "", "topic": "spine",
        "description": "Carpal tunnel and other trapped nerves.", "position": "7"})
    assert response.status_code == 303
    assert "Peripheral Nerves" in coordinator.get("/").text

    faq = services.list_faqs()[0][0]
    url = f"/desk/content/faqs/{faq.id}"
    page = coordinator.get(url).text
    data = form_values(page)
    data["answer_md"] = "A clearer answer, checked in clinic."
    response = coordinator.post(url, data=data)
    assert response.status_code == 303
    assert "A clearer answer, checked in clinic." in coordinator.get("/ask").text


def test_with_a_front_end_template_the_editor_opens_its_preview_of_the_saved_draft(app, coordinator):
    app.config["PREVIEW_URL_TEMPLATE"] = "https://www.clinic.example/preview/{slug}?token={token}"
    draft = services.create_article({"slug": "scoliosis-draft", "title": "Scoliosis", "body": "Draft text."})
    from service.extensions import db
    db.session.commit()
    page = coordinator.get(f"/desk/content/articles/{draft.id}")
    assert "Preview on the clinic website" in page.text
    response = coordinator.post(f"/desk/content/articles/{draft.id}/preview-link", data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("https://www.clinic.example/preview/scoliosis-draft?token=")
    token = location.split("token=", 1)[1]
    read = coordinator.application.test_client().get(f"/api/v1/articles/scoliosis-draft?preview={token}")
    assert read.status_code == 200 and read.get_json()["title"] == "Scoliosis"


def test_without_a_front_end_template_the_editor_keeps_its_own_preview_only(coordinator):
    page = coordinator.get(f"/desk/content/articles/{article_id('failed-back-syndrome')}")
    assert "Preview on the clinic website" not in page.text and 'value="preview"' in page.text
    response = coordinator.post(f"/desk/content/articles/{article_id('failed-back-syndrome')}/preview-link",
                                data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 404


@pytest.mark.parametrize("path, link", [("/desk/content/", r"/desk/content/articles/(\d+)\""),
                                        ("/desk/content/faqs", r"/desk/content/faqs/(\d+)\"")])
def test_every_article_and_faq_is_reachable_page_by_page(coordinator, monkeypatch, path, link):
    """The lists used to stop at 500 articles and render every FAQ at once (20,000: megabytes)."""
    import html as html_lib

    from service.content import editor
    from service.desk import paging

    monkeypatch.setattr(editor, "PAGE_SIZE", 4)
    monkeypatch.setattr(paging, "COUNT_CAP", 6)
    everything = {a.id for a in services.published_articles(status="all", limit=1000)[0]} if "faqs" not in path \
        else {f.id for f in services.list_faqs(status="all")[0]}
    seen, url = [], path
    while url:
        html = coordinator.get(url).text
        ids = [int(n) for n in re.findall(link, html)]
        assert 0 < len(ids) <= 4
        seen += ids
        older = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = html_lib.unescape(older.group(1)) if older else None
    assert len(seen) == len(set(seen)) and set(seen) == everything
    assert "6+" in coordinator.get(path).text
