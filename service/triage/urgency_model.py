"""A recall-oriented safety net beside the red-flag rules: a model that reads emergencies in wordings
nobody listed.

The rules (`red_flags.py`) stay the primary, explainable detector, but they only know the words someone
wrote down: on an unseen held-out set they caught 0.81 of emergencies. This model learns from hand-written
emergencies in lay, carer and non-native wording ("can't hold my cup", "wet myself without noticing") and
from calm messages and decoys (negated, past, family history, hypothetical, chronic, already explained).
Every word is marked with the rules' own scoping, so "no numbness" and "numbness" are different words to it.
A message is scored over each pair of adjacent sentences and its most alarming window counts: one
emergency sentence in a long letter is not diluted by the rest.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from service.triage.corpus import base_examples
from service.triage.red_flags import RedFlag, detect_red_flags
from service.triage.scoping import is_example_list, sentences, word_scopes
from service.triage.text import normalise

NONE = "none"

# What a coordinator reads for each flag code the model can raise (the rule book's codes).
LABELS = {
    "cauda_equina": "cauda equina (saddle numbness, bladder or bowel control lost)",
    "thunderclap_headache": "thunderclap headache (possible bleed in the brain)",
    "stroke": "stroke",
    "new_seizure": "new seizure",
    "postoperative_infection": "post-operative infection",
    "csf_leak": "leak of brain fluid (CSF) after surgery",
    "postoperative_airway": "airway trouble after neck surgery (possible bleed)",
    "postoperative_pneumothorax": "collapsed lung after rib / thoracic outlet surgery",
    "vascular_tos": "vascular TOS (blocked artery or vein in the arm)",
    "shunt_failure": "shunt failure",
    "progressive_weakness": "rapidly progressive weakness",
    "spinal_cord_compression": "spinal cord compression from cancer",
    "head_injury": "head injury with a possible bleed",
}

# The emergency probability at which a window raises a flag: `cross_validate().threshold()`, the lowest
# at which rules OR model keep precision >= 0.9 over the training corpus (bench/triage_cv.py prints the
# curve). At 0.65: recall 0.952, precision 0.902 (the model alone 0.927 / 0.912; the rules alone
# 0.67 / 0.97: the corpus is written in wordings the rules do not list); at 0.7: 0.946 / 0.923. The
# base corpus's calm examples are part of the corpus, so the choice moves between 0.65 and 0.7 as
# they change: re-run the bench after editing either file.
THRESHOLD = 0.65

# A pasted letter can hold dozens of sentences; the complaint is near the start and the budget is 5 ms.
MAX_SENTENCES = 30


@cache
def hand_written_examples() -> tuple[tuple[str, str], ...]:
    """data/urgency_examples.jsonl: (text, flag code or "none"), written for this model."""
    text = resources.files("service.triage").joinpath("data/urgency_examples.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    unknown = {row["flag"] for row in rows} - {NONE, *LABELS}
    if unknown:
        raise ValueError(f"urgency examples with unknown flags: {sorted(unknown)}")
    return tuple((row["text"], row["flag"]) for row in rows)


@cache
def urgency_examples() -> tuple[tuple[str, str], ...]:
    """The hand-written examples, plus every base topic example the rule book calls calm as "none":
    ordinary questions of every topic teach the model what most messages look like. The urgency file's
    own label wins: a few base examples the rules miss are emergencies, and it says so."""
    hand = hand_written_examples()
    labelled = {text for text, _ in hand}
    calm = tuple(
        (text, NONE) for text, _ in base_examples() if text not in labelled and not detect_red_flags(text)
    )
    return hand + calm


@dataclass(frozen=True)
class Window:
    evidence: str  # the patient's words (normalised), shown as the flag's evidence
    words: str  # every word, prefixed with its scope: "neg_numbness", "past_seizure"
    chars: str  # only the words said of now, for character n-grams (typos, word forms)


def _marked_sentences(text: str) -> list[Window]:
    """Each sentence of `text` with its words marked by the rules' scoping (one Window per sentence)."""
    sents = sentences(normalise(text))[:MAX_SENTENCES]
    out = []
    for i, sentence in enumerate(sents):
        scoped = word_scopes(sentence.text)
        if is_example_list(sentence.text, sents[i - 1].text if i else ""):
            # "What should I watch for? Like a fever or the wound leaking?" names nobody's symptoms.
            scoped = [(word, "hyp") for word, _ in scoped]
        words = " ".join(f"{scope}_{word}" if scope else word for word, scope in scoped)
        chars = " ".join(word for word, scope in scoped if not scope)
        out.append(Window(sentence.text.strip(), words, chars))
    return out


def _joined(parts: Sequence[Window]) -> Window:
    return Window(*(" ".join(getattr(p, field) for p in parts) for field in ("evidence", "words", "chars")))


def windows(text: str) -> list[Window]:
    """Each pair of adjacent sentences, or the one sentence of a short message. A sentence is read with
    its neighbour: symptoms follow their context ("He has a shunt. Since this morning he's been sick"),
    and reassurance follows a scare ("My dad hit his head last week; the scan was clear, he's fine").
    By cross-validation, pairs alone beat single sentences plus pairs in both recall and precision."""
    return _pairs(_marked_sentences(text))


def _pairs(marked: list[Window]) -> list[Window]:
    if len(marked) <= 1:
        return marked
    return [_joined(marked[i : i + 2]) for i in range(len(marked) - 1)]


@dataclass(frozen=True)
class Reading:
    """The model's most alarming window in a message."""

    probability: float  # probability that the window describes an emergency (1 - P(none))
    code: str  # the likeliest emergency class in that window
    evidence: str


class UrgencyModel:
    def __init__(self, *, threshold: float = THRESHOLD, c: float = 30.0) -> None:
        self.threshold = threshold
        # Word scopes tell "no numbness" from "numbness"; "neg_" and friends survive the token pattern.
        self.words = TfidfVectorizer(
            token_pattern=r"[a-z0-9_']+", ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=False
        )
        # Characters inside word boundaries survive typos and forms ("numb", "numbness", "nunmb").
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, lowercase=False
        )
        # Balanced classes: each emergency class weighs as much as all calm messages, so recall comes
        # first and the threshold trades it back for precision.
        self.classifier = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")

    def fit(self, examples: Iterable[tuple[str, str]]) -> "UrgencyModel":
        items, flags = [], []
        for text, flag in examples:
            marked = _marked_sentences(text)
            if not marked:
                continue
            items.append(_joined(marked))
            flags.append(flag)
            if flag == NONE and len(marked) > 2:
                # The model reads windows, so it must also learn that the windows of a calm message are
                # calm ("I have a VP shunt." is not a blocked shunt). Not so for an emergency: its
                # context sentence alone is no emergency.
                parts = _pairs(marked)
                items.extend(parts)
                flags.extend([NONE] * len(parts))
        with threadpool_limits(limits=1):
            features = sp.hstack(
                [self.words.fit_transform([w.words for w in items]), self.chars.fit_transform([w.chars for w in items])]
            ).tocsr()
            self.classifier.fit(features, flags)
        self._prepare()
        return self

    def _prepare(self) -> None:
        # Scoring one message goes straight to the fitted numbers (vocabulary, idf, coefficients):
        # the same arithmetic as transform + predict_proba without scikit-learn's per-call input
        # checks, which alone took longer than the 5 ms budget.
        self._classes = [str(c) for c in self.classifier.classes_]
        self._none = self._classes.index(NONE)
        self._coef = np.ascontiguousarray(self.classifier.coef_)
        self._intercept = self.classifier.intercept_.copy()
        self._offset = len(self.words.vocabulary_)

    def __getstate__(self) -> dict:
        # Closures and a C-ordered copy of the coefficients: rebuilt on load, not stored twice.
        state = self.__dict__.copy()
        state.pop("_analyzers", None)
        state.pop("_coef", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._coef = np.ascontiguousarray(self.classifier.coef_)

    def _features(self, vectorizer: TfidfVectorizer, analyzer, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        vocabulary = vectorizer.vocabulary_
        for gram in analyzer(text):
            j = vocabulary.get(gram)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        index = np.fromiter(counts, dtype=np.intp, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))  # sublinear_tf
        weight = tf * vectorizer.idf_[index]
        norm = np.sqrt(weight @ weight)
        return index, weight / norm if norm else weight

    def probabilities(self, window: Window) -> np.ndarray:
        """P(class) for one window, in `self._classes` order."""
        analyzers = self.__dict__.get("_analyzers")
        if analyzers is None:
            analyzers = self._analyzers = (self.words.build_analyzer(), self.chars.build_analyzer())
        z = self._intercept.copy()
        words_index, words_weight = self._features(self.words, analyzers[0], window.words)
        chars_index, chars_weight = self._features(self.chars, analyzers[1], window.chars)
        z += self._coef[:, words_index] @ words_weight
        z += self._coef[:, self._offset + chars_index] @ chars_weight
        z = np.exp(z - z.max())
        return z / z.sum()

    def read(self, text: str) -> Reading | None:
        """The most alarming window of `text`, or None when it has no words."""
        best: tuple[float, np.ndarray, Window] | None = None
        for window in windows(text):
            proba = self.probabilities(window)
            emergency = 1.0 - float(proba[self._none])
            if best is None or emergency > best[0]:
                best = (emergency, proba, window)
        if best is None:
            return None
        emergency, proba, window = best
        proba = proba.copy()
        proba[self._none] = -1.0
        return Reading(emergency, self._classes[int(np.argmax(proba))], window.evidence)

    def flags(self, text: str) -> list[RedFlag]:
        """At most one flag: the model's reading of the message's most alarming window, if above threshold."""
        reading = self.read(text)
        if reading is None or reading.probability < self.threshold:
            return []
        reason = f"Possible {LABELS[reading.code]} (the model's reading, no rule matched): read now"
        return [RedFlag(reading.code, reason, reading.evidence)]


def train_urgency_model(examples: Iterable[tuple[str, str]] | None = None) -> UrgencyModel:
    """A model fitted on `examples`, by default on the built-in corpus (trained once per process)."""
    return _built_in_model() if examples is None else UrgencyModel().fit(examples)


@cache
def _built_in_model() -> UrgencyModel:
    # Its corpus ships with the code, so every retrain (each content change or batch of corrections)
    # would fit the same model again: about 3 s of a worker's CPU for nothing. The fitted model is
    # only read afterwards, so engines can share it.
    return UrgencyModel().fit(urgency_examples())


@dataclass(frozen=True)
class CrossValidation:
    """Every training example read by a model that never saw it, beside the rules' verdict on it."""

    flags: tuple[str, ...]  # the example's label
    probabilities: tuple[float, ...]  # the model's emergency probability, out of fold
    codes: tuple[str, ...]  # the model's likeliest emergency class
    ruled: tuple[bool, ...]  # the red-flag rules fire on it

    def figures(self, threshold: float, *, rules: bool = True) -> tuple[float, float]:
        """(recall, precision) on emergencies at `threshold`, for rules OR model (or the model alone)."""
        hit = [p >= threshold or (rules and r) for p, r in zip(self.probabilities, self.ruled)]
        urgent = [f != NONE for f in self.flags]
        caught = sum(h and u for h, u in zip(hit, urgent))
        return caught / max(1, sum(urgent)), caught / max(1, sum(hit))

    def threshold(self, min_precision: float = 0.9) -> float:
        """The lowest threshold (in steps of 0.05) at which rules OR model keep `min_precision`."""
        for step in range(1, 20):
            if self.figures(step / 20)[1] >= min_precision:
                return step / 20
        return 0.95


def cross_validate(
    examples: Sequence[tuple[str, str]] | None = None, *, folds: int = 5, seed: int = 7
) -> CrossValidation:
    """Out-of-fold readings of every example (the built-in corpus by default) by a fresh model per fold."""
    rows = list(urgency_examples() if examples is None else examples)
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    readings: dict[int, Reading | None] = {}
    for k in range(folds):
        test = set(order[k::folds])
        model = UrgencyModel().fit(row for i, row in enumerate(rows) if i not in test)
        readings.update((i, model.read(rows[i][0])) for i in test)
    return CrossValidation(
        flags=tuple(flag for _, flag in rows),
        probabilities=tuple(r.probability if (r := readings[i]) else 0.0 for i in range(len(rows))),
        codes=tuple(r.code if (r := readings[i]) else NONE for i in range(len(rows))),
        ruled=tuple(bool(detect_red_flags(text)) for text, _ in rows),
    )
