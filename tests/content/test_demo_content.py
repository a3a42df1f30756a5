"""Invariants for the demo content loaded by ``flask --app service seed``.

Plain pytest: reads ``service/content/demo/content.json`` relative to the repo
root and needs no app, database or network.
Run ``python tests/content/test_demo_content.py`` to print word counts.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "service" / "content" / "demo" / "content.json"

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TOPICS = {"spine", "brain", "tos"}
LONG_MIN, LONG_MAX = 1500, 3000
SHORT_MIN, SHORT_MAX = 500, 1200
DISCLAIMER = "This article is general information, not a diagnosis"


def load():
    with CONTENT.open(encoding="utf-8") as fh:
        return json.load(fh)


def word_count(markdown: str) -> int:
    return len(re.findall(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*", markdown))


@pytest.fixture(scope="module")
def data():
    return load()


@pytest.fixture(scope="module")
def sections(data):
    return {s["slug"]: s for s in data["sections"]}


@pytest.fixture(scope="module")
def articles(data):
    return {a["slug"]: a for a in data["articles"]}


def test_top_level_shape(data):
    assert set(data) == {"sections", "articles", "faqs"}
    assert len(data["sections"]) >= 6
    assert len(data["articles"]) >= 8
    assert len(data["faqs"]) >= 24


def test_slugs_unique_and_well_formed(data):
    for kind in ("sections", "articles"):
        slugs = [item["slug"] for item in data[kind]]
        assert len(slugs) == len(set(slugs)), f"duplicate {kind} slug"
        for slug in slugs:
            assert SLUG_RE.match(slug), slug


def test_sections(data):
    for s in data["sections"]:
        assert s["topic"] in TOPICS
        assert s["title"].strip() and s["description"].strip()
        assert isinstance(s["order"], int)
    assert {s["topic"] for s in data["sections"]} == TOPICS


def test_articles_reference_sections_and_have_valid_fields(data, sections):
    for a in data["articles"]:
        assert a["section"] in sections, a["slug"]
        assert a["status"] == "published"
        assert a["title"].strip()
        assert 0 < len(a["summary"]) <= 300, a["slug"]
        assert 0 < len(a["seo_description"]) <= 160, a["slug"]
        assert a["tags"], a["slug"]
        assert len(a["tags"]) == len(set(a["tags"]))
        for tag in a["tags"]:
            assert SLUG_RE.match(tag), (a["slug"], tag)


def test_tags_are_shared_across_articles(data):
    counts = Counter(tag for a in data["articles"] for tag in a["tags"])
    shared = [t for t, n in counts.items() if n >= 3]
    assert len(shared) >= 5, counts


def test_bodies_are_plain_markdown(data):
    for a in data["articles"]:
        body = a["body"]
        assert not re.search(r"<\s*[A-Za-z!/]", body), f"raw HTML in {a['slug']}"
        assert "![" not in body, f"image in {a['slug']}"
        assert not re.search(r"https?://", body), f"external link in {a['slug']}"
        assert "## " in body, a["slug"]


def test_article_lengths(data, sections):
    long_topics = set()
    for a in data["articles"]:
        n = word_count(a["body"])
        if n >= LONG_MIN:
            assert n <= LONG_MAX, (a["slug"], n)
            long_topics.add(sections[a["section"]]["topic"])
        else:
            assert SHORT_MIN <= n <= SHORT_MAX, (a["slug"], n)
    assert long_topics == TOPICS


def test_long_articles_structure(data):
    for a in data["articles"]:
        body = a["body"]
        if word_count(body) < LONG_MIN:
            continue
        assert re.search(r"^## ", body, re.M), a["slug"]
        assert re.search(r"^### ", body, re.M), a["slug"]
        assert re.search(r"^- ", body, re.M), a["slug"]
        assert re.search(r"^\|.*\|\s*$\n^\|[-| :]+\|\s*$", body, re.M), f"no table in {a['slug']}"
        assert re.search(r"^## When to seek urgent help", body, re.M), a["slug"]
        assert DISCLAIMER in body.strip().splitlines()[-1], a["slug"]


def test_faqs(data, sections, articles):
    per_topic = Counter()
    orders = {}
    questions = set()
    for f in data["faqs"]:
        assert f["question"].strip().endswith("?"), f["question"]
        assert f["question"] not in questions
        questions.add(f["question"])
        assert f["answer"].strip()
        assert f["tag"] in TOPICS
        assert f["section"] in sections, f["section"]
        assert sections[f["section"]]["topic"] == f["tag"], f["question"]
        if "learn_more_article" in f:
            assert f["learn_more_article"] in articles, f["learn_more_article"]
        assert isinstance(f["order"], int)
        orders.setdefault(f["section"], []).append(f["order"])
        per_topic[f["tag"]] += 1
    for topic in TOPICS:
        assert per_topic[topic] >= 6, per_topic
    for section, values in orders.items():
        assert len(values) == len(set(values)), f"duplicate FAQ order in {section}"


if __name__ == "__main__":
    content = load()
    for art in content["articles"]:
        print(f"{word_count(art['body']):5d}  {art['slug']}")
    print(Counter(f["tag"] for f in content["faqs"]))
