"""The lay-term lexicon (data/lexicon.tsv) as features: how strongly a message leans to each topic.

Patients name few conditions but use telling phrases ("arms over my head", "shunt", "down my leg").
A handful of curated phrases carries that knowledge where the small training corpus cannot; the
classifier learns how much to trust each topic's score rather than obeying it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from service.triage.text import normalise

LEXICON_TOPICS = ("spine", "brain", "tos", "general")


@dataclass(frozen=True)
class Term:
    phrase: str
    topic: str
    weight: float
    regex: re.Pattern[str]
    anchor: str  # a literal the text must contain for the term to match: a cheap test before the regex


def _term_regex(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in phrase.split()]
    return re.compile(r"\b" + r"\s+".join(words) + (r"" if phrase.endswith("*") else r"\b"))


def parse_lexicon(lines: list[str]) -> tuple[Term, ...]:
    terms = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            phrase, topic, weight = line.rstrip("\n").split("\t")
        except ValueError:
            raise ValueError(f"lexicon line {number}: expected term<TAB>topic<TAB>weight") from None
        if topic not in LEXICON_TOPICS:
            raise ValueError(f"lexicon line {number}: unknown topic {topic!r}")
        phrase = phrase.lower()
        terms.append(Term(phrase, topic, float(weight), _term_regex(phrase), phrase.split()[0].rstrip("*")))
    return tuple(terms)


@cache
def lexicon() -> tuple[Term, ...]:
    text = resources.files("service.triage").joinpath("data/lexicon.tsv").read_text(encoding="utf-8")
    return parse_lexicon(text.splitlines())


def topic_scores(text: str, terms: tuple[Term, ...] | None = None) -> dict[str, float]:
    """Summed weights of the lexicon terms present in `text` (each term counted once), per topic."""
    normalised = normalise(text)
    scores = dict.fromkeys(LEXICON_TOPICS, 0.0)
    for term in terms if terms is not None else lexicon():
        if term.anchor in normalised and term.regex.search(normalised):
            scores[term.topic] += term.weight
    return scores


class LexiconFeatures(TransformerMixin, BaseEstimator):
    """Four columns, one per topic: log(1 + lexicon score), scaled to sit beside TF-IDF values."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale

    def fit(self, texts: list[str], y: object = None) -> "LexiconFeatures":
        return self

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        rows = [list(topic_scores(t).values()) for t in texts]
        return sparse.csr_matrix(np.log1p(np.asarray(rows, dtype=float)) * self.scale)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray([f"lexicon_{t}" for t in LEXICON_TOPICS], dtype=object)
