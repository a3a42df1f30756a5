"""Sections and FAQs: CRUD, visibility, grouping."""
from __future__ import annotations

import pytest

from service.content import services
from service.errors import Conflict, NotFound, ValidationFailed
from service.extensions import db


def test_section_crud_and_duplicate_slug(section):
    assert services.get_section("back-and-leg-pain") is section
    with pytest.raises(Conflict):
        services.create_section({"slug": "back-and-leg-pain", "title": "Again", "topic": "spine"})
    with pytest.raises(ValidationFailed) as failed:
        services.create_section({"slug": "x", "title": "X", "topic": "knees"})
    assert "topic" in failed.value.fields
    services.update_section(section, {"title": "Back pain", "position": 3})
    db.session.commit()
    assert services.list_sections()[0].title == "Back pain"
    services.delete_section(section)
    db.session.commit()
    with pytest.raises(NotFound):
        services.get_section("back-and-leg-pain")


def test_faq_create_update_draft_and_delete(section):
    faq = services.create_faq({"question": "Why does my leg hurt?", "answer": "Often a **nerve**.",
                               "topic": "spine", "section": "back-and-leg-pain", "position": 2})
    db.session.commit()
    assert faq.answer_html.strip() == "<p>Often a <strong>nerve</strong>.</p>"
    assert services.get_faq(faq.id) is faq
    services.update_faq(faq, {"status": "draft"})
    db.session.commit()
    assert faq.version == 2
    with pytest.raises(NotFound):
        services.get_faq(faq.id)
    assert services.get_faq(faq.id, include_drafts=True) is faq
    assert services.list_faqs() == ([], 0)
    assert services.list_faqs(status="all")[1] == 1
    services.delete_faq(faq)
    db.session.commit()
    with pytest.raises(NotFound):
        services.get_faq(faq.id, include_drafts=True)


def test_faq_validation_names_fields(app):
    with pytest.raises(ValidationFailed) as failed:
        services.create_faq({"question": "", "answer": "x", "topic": "knees", "learn_more_article": "Bad Slug"})
    assert {"question", "topic", "learn_more_article"} <= set(failed.value.fields)
    with pytest.raises(ValidationFailed) as failed:
        services.create_faq({"question": "Q?", "answer": "A", "topic": "spine", "learn_more_article": "missing"})
    assert "learn_more_article" in failed.value.fields


def test_faqs_grouped_by_section_in_section_order(demo):
    groups = services.faqs_grouped_by_section()
    slugs = [s.slug for s, _ in groups if s is not None]
    assert slugs == [s.slug for s in services.list_sections() if s.slug in slugs]
    assert sum(len(faqs) for _, faqs in groups) == 27
    for section, faqs in groups:
        positions = [f.position for f in faqs]
        assert positions == sorted(positions)
        assert all(f.section_id == section.id for f in faqs)


def test_faqs_filter_by_topic_and_section(demo):
    spine, total = services.list_faqs(topic="spine")
    assert total == len(spine) > 0 and all(f.topic == "spine" for f in spine)
    tos, _ = services.list_faqs(section="thoracic-outlet-syndrome")
    assert tos and all(f.section.slug == "thoracic-outlet-syndrome" for f in tos)
    assert services.list_faqs(section="Not a slug") == ([], 0)
