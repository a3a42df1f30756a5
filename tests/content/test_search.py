"""Full-text search on SQLite FTS5 and PostgreSQL tsvector: relevance, safety, visibility."""
from __future__ import annotations

import pytest

from service.content import services
from service.content.search import MAX_TERMS, MAX_TEXT_TERMS, query_terms, related_to_text, text_terms
from service.extensions import db


def test_sciatica_finds_the_sciatica_article_and_faqs(demo):
    hits = services.search("sciatica")
    slugs = [h.slug for h in hits if h.type == "article"]
    assert "lumbar-disc-herniation-and-sciatica" in slugs
    assert any(h.type == "faq" and "sciatica" in h.title.lower() for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_numb_hand_overhead_finds_thoracic_outlet_content(demo):
    hits = services.search("numb hand overhead")
    assert hits[0].title == "Why does my hand go numb when I reach overhead?"
    assert "thoracic-outlet-syndrome" in [h.slug for h in hits]
    faq = hits[0]
    assert faq.type == "faq" and faq.path == f"/ask#faq-{faq.ref_id}"


def test_title_matches_rank_above_body_mentions(demo):
    hits = [h for h in services.search("meningioma") if h.type == "article"]
    assert hits[0].slug == "meningioma"


def test_a_long_question_still_finds_something_when_not_every_word_matches(demo):
    hits = services.search("my fingers tingle and my hand feels numb whenever I lift my arms above my head")
    assert hits


@pytest.mark.parametrize("query", [
    '"', '""', "sciatica\"", "NEAR(", "* OR *", "title:sciatica", "AND", "-", "'; DROP TABLE article; --",
    "sci*", "(((", "\x00", "é ü 漢字", "a" * 10_000, "numb " * 500, "!!!", "&|:",
])
def test_hostile_queries_never_fail(demo, query):
    hits = services.search(query)
    assert isinstance(hits, list)


def test_empty_query_gives_nothing(demo):
    assert services.search("") == []
    assert services.search("   ") == []
    assert services.search("...") == []


def test_terms_are_bounded():
    assert len(query_terms("word " * 100)) == MAX_TERMS
    assert query_terms('"sciatica" NEAR(leg)') == ["sciatica", "near", "leg"]


def test_snippets_are_plain_text_with_an_escaped_highlighted_variant(demo):
    hit = services.search("sciatica")[0]
    assert "<" not in hit.snippet
    assert "<mark>" in hit.snippet_html.lower() or hit.snippet_html


def test_index_follows_edits_and_deletes(demo):
    article = services.get_published_article("meningioma")
    services.update_article(article, {"body": "Now about zebrafish only."})
    db.session.commit()
    assert [h.slug for h in services.search("zebrafish")] == ["meningioma"]
    services.delete_article(article)
    db.session.commit()
    assert services.search("zebrafish") == []
    faq = services.create_faq({"question": "Do axolotls matter?", "answer": "No.", "topic": "brain"})
    db.session.commit()
    assert [h.ref_id for h in services.search("axolotls")] == [faq.id]
    services.update_faq(faq, {"status": "draft"})
    db.session.commit()
    assert services.search("axolotls") == []


@pytest.mark.parametrize("query", ["sciatica", "numb hand overhead",
                                   "my fingers tingle and my hand feels numb whenever I lift my arms above my head"])
def test_search_without_snippets_finds_the_same_pages_in_the_same_order(demo, query):
    full = services.search(query)
    bare = services.search(query, snippets=False)
    assert [(h.type, h.ref_id, h.title, h.path, h.score) for h in bare] == \
        [(h.type, h.ref_id, h.title, h.path, h.score) for h in full]
    assert full and all(h.snippet == h.snippet_html == "" for h in bare)


def test_a_patients_question_is_searched_by_the_words_that_say_what_it_is_about():
    assert text_terms("I'm worried that my back pain and my back ache could be sciatica.") == \
        ["worried", "back", "pain", "ache", "sciatica"]
    assert len(text_terms(" ".join(f"word{i}" for i in range(200)))) == MAX_TEXT_TERMS
    assert text_terms("") == text_terms(None) == text_terms("I am and the") == []


def test_related_pages_come_from_the_whole_question_not_its_first_words(demo):
    story = ("Hello, I am 58 and for about four months I have had trouble at home and at work, and my "
             "family and friends have noticed it too. It started slowly and has got worse over the "
             "summer. Last week I finally read about trigeminal neuralgia and the electric shocks in my face.")
    hits = related_to_text(story, limit=3)
    assert hits and len(hits) <= 3
    assert any("trigeminal" in h.title.lower() or "electric shocks" in h.title.lower() for h in hits)
    assert all(h.snippet == "" for h in hits)


@pytest.mark.parametrize("text_", ['"', "NEAR(", "'; DROP TABLE article; --", "\x00", "é ü 漢字", "numb " * 500, "&|:"])
def test_hostile_questions_never_fail_related_pages(demo, text_):
    assert isinstance(related_to_text(text_), list)
