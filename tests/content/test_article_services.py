"""Article rules: revisions, rollback, slug history, scheduling and visibility, sanitising."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from service.content import services
from service.content.models import ContentChange, SlugRedirect
from service.errors import Conflict, NotFound, ValidationFailed
from service.extensions import db
from service.staff.models import utcnow


def make_article(**overrides):
    data = {"slug": "sciatica-basics", "title": "Sciatica basics", "summary": "Leg pain from the back.",
            "body": "## What it is\n\nPain down the leg.", "section": "back-and-leg-pain",
            "tags": ["back-pain", "sciatica"], "status": "published"}
    data.update(overrides)
    article = services.create_article(data)
    db.session.commit()
    return article


def test_create_renders_markdown_and_starts_at_revision_one(section):
    article = make_article()
    assert article.version == 1
    assert [r.number for r in services.list_revisions(article)] == [1]
    assert '<h2 id="what-it-is">What it is</h2>' in article.body_html
    assert [t.slug for t in article.tags] == ["back-pain", "sciatica"]
    assert article.tags[0].name == "Back pain"  # created on demand with a readable name
    assert article.section.slug == "back-and-leg-pain"
    assert article.is_visible


def test_every_real_change_is_a_new_revision_and_no_op_saves_are_not(section):
    article = make_article()
    services.update_article(article, {"title": "Sciatica: the basics"})
    services.update_article(article, {"title": "Sciatica: the basics"})  # nothing changed
    db.session.commit()
    assert article.version == 2
    assert [r.number for r in services.list_revisions(article)] == [2, 1]
    assert services.list_revisions(article)[0].title == "Sciatica: the basics"


def test_rollback_copies_an_old_revision_back_as_a_new_one(section):
    article = make_article()
    services.update_article(article, {"body": "Rewritten.", "title": "Changed", "tags": ["pain"]})
    services.rollback_article(article, 1)
    db.session.commit()
    assert article.version == 3
    assert article.title == "Sciatica basics"
    assert "Pain down the leg." in article.body_html
    assert [t.slug for t in article.tags] == ["back-pain", "sciatica"]
    latest = services.list_revisions(article)[0]
    assert latest.number == 3 and "revision 1" in latest.note
    with pytest.raises(NotFound):
        services.rollback_article(article, 99)


def test_slug_change_leaves_a_redirect_and_a_live_slug_wins_over_an_old_one(section):
    article = make_article()
    services.update_article(article, {"slug": "sciatica"})
    db.session.commit()
    with pytest.raises(services.ArticleMoved) as moved:
        services.get_published_article("sciatica-basics")
    assert moved.value.slug == "sciatica"
    # A new article may take the old slug: the redirect would shadow it, so it goes.
    make_article(slug="sciatica-basics", title="A new article")
    assert services.get_published_article("sciatica-basics").title == "A new article"
    assert db.session.execute(select(SlugRedirect).where(SlugRedirect.old_slug == "sciatica-basics")).first() is None


def test_renaming_back_and_forth_keeps_one_redirect_per_old_slug(section):
    article = make_article()
    services.update_article(article, {"slug": "b"})
    services.update_article(article, {"slug": "c"})
    services.update_article(article, {"slug": "sciatica-basics"})
    db.session.commit()
    assert services.get_published_article("sciatica-basics") is article
    with pytest.raises(services.ArticleMoved):
        services.get_published_article("b")
    olds = sorted(r.old_slug for r in db.session.execute(select(SlugRedirect)).scalars())
    assert olds == ["b", "c"]


def test_duplicate_slug_is_a_conflict(section):
    make_article()
    with pytest.raises(Conflict):
        services.create_article({"slug": "sciatica-basics", "title": "Again"})


@pytest.mark.parametrize("data, field", [
    ({"slug": "Bad Slug", "title": "x"}, "slug"),
    ({"slug": "a" * 121, "title": "x"}, "slug"),
    ({"slug": "double--hyphen", "title": "x"}, "slug"),
    ({"slug": "ok", "title": ""}, "title"),
    ({"slug": "ok", "title": "x" * 201}, "title"),
    ({"slug": "ok", "title": "x", "section": "no-such-section"}, "section"),
    ({"slug": "ok", "title": "x", "status": "live"}, "status"),
    ({"slug": "ok", "title": "x", "published_at": "next tuesday"}, "published_at"),
    ({"slug": "ok", "title": "x", "tags": ["Not A Slug"]}, "tags"),
    ({"slug": "ok", "title": "x", "colour": "red"}, "colour"),
    ({"slug": "ok", "title": "x\x00"}, "title"),
])
def test_invalid_articles_are_refused_with_the_field_named(app, data, field):
    with pytest.raises(ValidationFailed) as failed:
        services.create_article(data)
    assert field in failed.value.fields


def test_scheduled_article_is_invisible_until_its_time(section):
    article = make_article(status="draft")
    services.schedule_article(article, utcnow() + timedelta(hours=2))
    db.session.commit()
    assert article.state == "scheduled"
    with pytest.raises(NotFound):
        services.get_published_article(article.slug)
    assert services.published_articles()[1] == 0
    assert services.search("sciatica") == []
    version_before = services.content_version()
    # Time passes (moved back rather than waiting): visible, and the content version moves.
    article.published_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert services.get_published_article(article.slug) is article
    assert services.published_articles()[1] == 1
    assert services.content_version() != version_before


def test_unpublish_hides_an_article_and_publish_shows_it(section):
    article = make_article()
    services.unpublish_article(article)
    db.session.commit()
    with pytest.raises(NotFound):
        services.get_published_article(article.slug)
    assert services.get_article(article.slug) is article  # staff still find drafts
    services.publish_article(article)
    db.session.commit()
    assert services.get_published_article(article.slug) is article


def test_drafts_are_not_listed_or_searched_publicly(section):
    make_article(status="draft")
    assert services.published_articles() == ([], 0)
    assert services.published_articles(status="draft")[1] == 1
    assert services.search("sciatica") == []
    assert [h.slug for h in services.search("sciatica", include_drafts=True)] == ["sciatica-basics"]


def test_body_is_sanitised_at_save_time(section):
    article = make_article(body='<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror="alert(1)">')
    assert "<script" not in article.body_html
    assert 'href="javascript' not in article.body_html
    assert "<img" not in article.body_html


def test_every_save_and_delete_moves_the_content_version(section):
    versions = {services.content_version()}
    article = make_article()
    versions.add(services.content_version())
    services.update_article(article, {"summary": "New"})
    db.session.commit()
    versions.add(services.content_version())
    services.delete_article(article)
    db.session.commit()
    versions.add(services.content_version())
    assert len(versions) == 4
    actions = [c.action for c in db.session.execute(select(ContentChange).order_by(ContentChange.id)).scalars()]
    assert actions[-3:] == ["created", "updated", "deleted"]


def test_delete_removes_revisions_and_redirects_and_unlinks_faqs(section):
    article = make_article()
    services.update_article(article, {"slug": "renamed"})
    faq = services.create_faq({"question": "Is it sciatica?", "answer": "Maybe.", "topic": "spine",
                               "learn_more_article": "renamed"})
    db.session.commit()
    services.delete_article(article)
    db.session.commit()
    assert db.session.execute(select(SlugRedirect)).first() is None
    with pytest.raises(NotFound):
        services.get_published_article("sciatica-basics")
    db.session.refresh(faq)
    assert faq.learn_more_article_id is None


def test_listing_filters_order_and_paging(demo):
    items, total = services.published_articles(limit=3)
    assert total == 10 and len(items) == 3
    titles = [a.title for a in services.published_articles(order="title", limit=100)[0]]
    assert titles == sorted(titles, key=str.lower)
    spine, n = services.published_articles(section="back-and-leg-pain", limit=100)
    assert n == 4 and all(a.section.slug == "back-and-leg-pain" for a in spine)
    tagged = services.articles_for_tag("red-flags")
    assert tagged and all("red-flags" in [t.slug for t in a.tags] for a in tagged)
    assert services.published_articles(tag="Not a slug") == ([], 0)
    found, n = services.published_articles(search="sciatica")
    assert "lumbar-disc-herniation-and-sciatica" in [a.slug for a in found]
    with pytest.raises(ValidationFailed):
        services.published_articles(order="random()")


def test_related_faqs_prefer_those_pointing_at_the_article(demo):
    article = services.get_published_article("failed-back-syndrome")
    related = services.related_faqs(article)
    assert related and related[0].learn_more_article_id == article.id
    assert all(f.section_id == article.section_id or f.learn_more_article_id == article.id for f in related)


def test_tags_have_counts_of_visible_articles(demo):
    tags = services.list_tags()
    counts = {t.slug: t.article_count for t in tags}
    assert counts["surgery"] == 10
    assert all(t.article_count > 0 for t in tags)
    article = services.get_published_article("meningioma")
    services.unpublish_article(article)
    db.session.commit()
    assert {t.slug: t.article_count for t in services.list_tags()}["surgery"] == 9
