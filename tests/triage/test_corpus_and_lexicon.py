"""The shipped data: a base corpus that is the package's own, and a lexicon that parses."""

import pytest

from service.triage.corpus import base_examples
from service.triage.lexicon import lexicon, parse_lexicon, topic_scores


def test_base_corpus_does_not_contain_the_dev_set(dev_rows: list[dict]) -> None:
    # dev.jsonl is the evaluation set; training on it would make every dev figure meaningless.
    base = {" ".join(text.lower().split()) for text, _ in base_examples()}
    leaked = [r["text"] for r in dev_rows if " ".join(r["text"].lower().split()) in base]
    assert leaked == []


def test_base_corpus_does_not_contain_the_seed_faqs(faq_rows: list[dict]) -> None:
    base = {text.lower().strip() for text, _ in base_examples()}
    assert [r["text"] for r in faq_rows if r["text"].lower().strip() in base] == []


def test_base_corpus_has_no_duplicates() -> None:
    texts = [text.lower() for text, _ in base_examples()]
    assert len(texts) == len(set(texts))


def test_lexicon_scores_lay_phrases() -> None:
    scores = topic_scores("My arm goes dead when I hang washing")
    assert max(scores, key=scores.__getitem__) == "tos"


@pytest.mark.parametrize(
    "topic,text",
    [
        ("brain", "she went blank and bit her tongue, then couldn't find the words"),
        ("brain", "gone deaf in one ear with ringing in one ear"),
        ("tos", "my hand goes dusky and the veins on my chest stand out when I stack the top shelf"),
        ("spine", "my foot slaps when I walk and I catch my toes on the kerb"),
        ("spine", "I have to lean on the trolley in the supermarket or my legs give way"),
    ],
)
def test_lexicon_knows_symptoms_told_without_naming_the_condition(topic: str, text: str) -> None:
    scores = topic_scores(text)
    assert max(scores, key=scores.__getitem__) == topic, scores


def test_lexicon_wildcards_match_word_endings_and_plain_words_match_whole() -> None:
    (term,) = parse_lexicon(["herniat* disc\tspine\t3"])
    assert term.regex.search("a herniated disc") and term.regex.search("herniation  disc")
    assert term.regex.search("herniated discectomy") is None
    assert term.regex.search("unherniated disc") is None


@pytest.mark.parametrize("line", ["sciatica spine 3", "sciatica\tknee\t3"])
def test_a_bad_lexicon_line_is_reported(line: str) -> None:
    with pytest.raises(ValueError, match="lexicon line 1"):
        parse_lexicon([line])


def test_shipped_lexicon_loads() -> None:
    assert len(lexicon()) > 200
