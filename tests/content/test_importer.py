"""Importing content JSON: both shapes, idempotent, all-or-nothing, readable errors."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from service.content import services
from service.content.importer import ContentImportError, import_content, import_content_file
from service.content.models import Article, ArticleRevision, Faq, Section
from service.extensions import db


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_demo_content_imports_and_a_second_import_changes_nothing(demo):
    assert demo.summary() == "6 sections, 10 articles, 27 FAQs (created 43, updated 0)"
    version = services.content_version()
    from service.content.importer import DEMO_CONTENT_PATH

    again = import_content_file(DEMO_CONTENT_PATH)
    db.session.commit()
    assert again.summary() == "6 sections, 10 articles, 27 FAQs (created 0, updated 0)"
    assert count(ArticleRevision) == 10
    assert services.content_version() == version


def test_changed_items_are_updated_with_a_new_revision(demo, tmp_path):
    data = {"articles": [{"slug": "meningioma", "title": "Meningioma (updated)", "section": "brain-tumours",
                          "body": "New body.", "tags": ["surgery"], "status": "published"}]}
    report = import_content(data)
    db.session.commit()
    assert (report.created, report.updated) == (0, 1)
    article = services.get_published_article("meningioma")
    assert article.version == 2 and article.title == "Meningioma (updated)"


def test_shared_faq_list_imports_as_is(app, shared_dir):
    path = shared_dir / "seed" / "faq.json"
    if not path.exists():
        pytest.skip("shared/seed/faq.json is not there")
    listed = json.loads(path.read_text())
    report = import_content_file(path)
    db.session.commit()
    assert report.faqs == len(listed) == count(Faq)
    assert report.articles == 0
    # Sections named by title are created with the FAQ's topic and a slug from the title.
    tumours = services.get_section("brain-tumors")
    assert tumours.title == "Brain Tumors" and tumours.topic == "brain"
    faq = services.faq_by_question("What are the common symptoms of a brain tumor?")
    assert faq.section is tumours and faq.topic == "brain"
    assert faq.learn_more_text.startswith("Learn more")
    again = import_content_file(path)
    db.session.commit()
    assert (again.created, again.updated) == (0, 0)


def test_shared_faqs_merge_into_demo_sections_by_title(demo, shared_dir):
    path = shared_dir / "seed" / "faq.json"
    if not path.exists():
        pytest.skip("shared/seed/faq.json is not there")
    import_content_file(path)
    db.session.commit()
    tos = services.get_section("thoracic-outlet-syndrome")
    assert count(Section) == len({s.slug for s in services.list_sections()})
    assert any(f.section_id == tos.id for f in services.list_faqs(section="thoracic-outlet-syndrome")[0])


def test_missing_file_and_invalid_json_are_reported(app, tmp_path):
    with pytest.raises(ContentImportError, match="File not found"):
        import_content_file(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"faqs": [')
    with pytest.raises(ContentImportError, match="Invalid JSON .* line 1"):
        import_content_file(bad)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ContentImportError, match="not UTF-8"):
        import_content_file(binary)


def test_every_problem_is_listed_with_its_index_and_nothing_is_written(app):
    data = {
        "sections": [{"slug": "ok-section", "title": "OK", "topic": "spine", "description": "", "order": 1}],
        "articles": [{"slug": "fine", "title": "Fine", "section": "ok-section"},
                     {"slug": "Bad Slug", "title": ""},
                     {"slug": "orphan", "title": "Orphan", "section": "nowhere"}],
        "faqs": [{"question": "Q?", "answer": "A", "tag": "knees"},
                 {"answer": "No question", "tag": "spine"},
                 {"question": "Q2?", "answer": "A", "tag": "spine", "learn_more_article": "missing"}],
    }
    with pytest.raises(ContentImportError) as failed:
        import_content(data)
    errors = failed.value.errors
    assert any(e.startswith("articles[1].slug") for e in errors)
    assert any(e.startswith("articles[1].title") for e in errors)
    assert any(e.startswith("articles[2].section") for e in errors)
    assert any(e.startswith("faqs[0].tag") for e in errors)
    assert any(e.startswith("faqs[1].question") for e in errors)
    assert any(e.startswith("faqs[2].learn_more_article") for e in errors)
    db.session.rollback()
    assert count(Section) == count(Article) == count(Faq) == 0


@pytest.mark.parametrize("data, message", [
    ("just a string", "Expected a JSON object"),
    ({"pages": []}, "Unknown top-level"),
    ({"faqs": {"question": "x"}}, "faqs: must be a list"),
    ([1, 2], "faqs[0]: must be an object"),
    ({"sections": [{"slug": "a", "title": "A", "topic": "spine", "colour": "red"}]}, "unknown field 'colour'"),
    ({"articles": [{"slug": "a", "title": "A"}, {"slug": "a", "title": "B"}]}, "duplicate slug"),
])
def test_bad_shapes_are_refused(app, data, message):
    with pytest.raises(ContentImportError) as failed:
        import_content(data)
    assert message in str(failed.value.message)


def test_cli_import_prints_the_summary_and_fails_readably(runner, tmp_path, shared_dir):
    path = shared_dir / "seed" / "faq.json"
    result = runner.invoke(args=["content", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "46 FAQs (created" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text("[{\"question\": 1}]")
    result = runner.invoke(args=["content", "import", str(bad)])
    assert result.exit_code != 0
    assert "faqs[0].question" in result.output
    result = runner.invoke(args=["content", "import", str(tmp_path / "missing.json")])
    assert result.exit_code != 0 and "File not found" in result.output


def test_seed_twice_is_idempotent(runner):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "created 43" in first.output
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "(created 0, updated 0)" in second.output
