"""The triage engine: topic with calibrated confidence, red flags, and whether a coordinator must look."""

from __future__ import annotations

import pickle
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import sklearn

from service.triage.corpus import TOPICS, base_examples, checked_examples
from service.triage.lexicon import topic_scores
from service.triage.red_flags import detect_red_flags
from service.triage.text import clean, looks_unreadable, normalise
from service.triage.topic_model import CORRECTION_WEIGHT, TopicModel
from service.triage.urgency_model import UrgencyModel, train_urgency_model

__all__ = ["TOPICS", "TriageEngine", "TriageResult", "default_engine"]

# Bump when the pickled layout changes; loads() refuses other versions instead of misbehaving.
# 2: the engine carries the urgency model.
FORMAT_VERSION = 2
DEFAULT_REVIEW_THRESHOLD = 0.6


@dataclass(frozen=True)
class TriageResult:
    tag: str
    confidence: float  # calibrated probability of `tag`, 0..1
    urgent: bool
    reasons: tuple[str, ...]  # one human-readable line per red flag
    needs_review: bool  # a coordinator should confirm the tag before routing

    def as_json(self) -> dict:
        """The CLI's and API's shape: exactly tag, confidence, urgent, reasons."""
        return {
            "tag": self.tag,
            "confidence": round(self.confidence, 4),
            "urgent": self.urgent,
            "reasons": list(self.reasons),
        }


class TriageEngine:
    def __init__(
        self,
        model: TopicModel,
        *,
        review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
        urgency: UrgencyModel | None = None,
    ) -> None:
        self.model = model
        self.review_threshold = review_threshold
        # The safety net beside the red-flag rules; None means rules only.
        self.urgency = urgency

    @classmethod
    def train(
        cls, extra_examples: Iterable[tuple[str, str]] = (), *, review_threshold: float = DEFAULT_REVIEW_THRESHOLD
    ) -> "TriageEngine":
        """Fit on the built-in base corpus plus the clinic's own (text, tag) examples: article and FAQ
        text under their section's topic, and coordinators' corrections."""
        base = base_examples()
        extra = checked_examples(extra_examples)
        examples = [*base, *extra]
        weights = [1.0] * len(base) + [CORRECTION_WEIGHT] * len(extra)
        model = TopicModel(TOPICS).fit([t for t, _ in examples], [tag for _, tag in examples], weights)
        # The urgency model learns from its own hand-written corpus, not from the clinic's content:
        # articles describe warning signs in general, which is exactly what must not alarm it.
        return cls(model, review_threshold=review_threshold, urgency=train_urgency_model())

    def classify(self, text: str) -> TriageResult:
        """Never raises on odd input: unreadable text comes back as `general`, zero confidence, for review."""
        cleaned = clean(text)
        flags = detect_red_flags(cleaned)
        if _unreadable(cleaned):
            # The model reads English; on anything else its scores mean nothing, so only the rules speak.
            return TriageResult("general", 0.0, bool(flags), tuple(f.reason for f in flags), True)
        if self.urgency is not None:
            # The rules come first (their reasons and their routing); the model adds what they missed.
            ruled = {f.code for f in flags}
            flags = [*flags, *(f for f in self.urgency.flags(cleaned) if f.code not in ruled)]
        reasons = tuple(f.reason for f in flags)
        probabilities = self.model.probabilities(cleaned)
        tag = max(probabilities, key=probabilities.__getitem__)
        if flags and (topic := _flag_topic(flags, cleaned)):
            # A red flag that belongs to one surgeon (a stroke, cauda equina, a leak after a given
            # operation) routes there whatever else the message mentions: the emergency decides.
            tag = topic
        if flags and tag == "general":
            # An emergency is clinical by definition: route it to the surgeon its red flag belongs to,
            # or else to the likeliest surgical topic, never to the admin queue.
            tag = _flag_topic(flags, cleaned) or max(SURGICAL_TOPICS, key=probabilities.__getitem__)
        confidence = probabilities[tag]
        # `general` has no surgeon: a coordinator answers or reroutes it, so it always goes to review.
        needs_review = tag == "general" or confidence < self.review_threshold
        return TriageResult(tag, confidence, bool(flags), reasons, needs_review)

    def dumps(self) -> bytes:
        """Bytes for storing a trained engine. Pickle: load only bytes this service stored itself."""
        payload = {"format": FORMAT_VERSION, "sklearn": sklearn.__version__, "engine": self}
        return pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def loads(cls, data: bytes) -> "TriageEngine":
        """The stored engine, or ValueError when it was stored by another format or scikit-learn: retrain."""
        try:
            payload = pickle.loads(data)
        except (pickle.UnpicklingError, AttributeError, ImportError, EOFError, IndexError, TypeError) as exc:
            # A class moved or renamed since it was stored, or truncated bytes: as good as another format.
            problem = exc.__class__.__name__
            raise ValueError(f"stored triage engine cannot be read here ({problem}); retrain it") from exc
        if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION:
            raise ValueError("stored triage engine has an unknown format; retrain it")
        if payload.get("sklearn") != sklearn.__version__:
            # A model pickled by another scikit-learn may load yet predict wrongly.
            raise ValueError(
                f"stored triage engine was built with scikit-learn {payload.get('sklearn')}, "
                f"this is {sklearn.__version__}; retrain it"
            )
        engine = payload["engine"]
        if not isinstance(engine, cls):
            raise ValueError("stored object is not a triage engine")
        return engine


SURGICAL_TOPICS = tuple(t for t in TOPICS if t != "general")

# Red flags that belong to one surgeon's topic; the others (post-operative problems, progressive
# weakness) can follow spine, brain or TOS surgery alike.
FLAG_TOPICS = {
    "cauda_equina": "spine",
    "spinal_cord_compression": "spine",
    "thunderclap_headache": "brain",
    "stroke": "brain",
    "new_seizure": "brain",
    "shunt_failure": "brain",
    "head_injury": "brain",
    "vascular_tos": "tos",
    "postoperative_pneumothorax": "tos",
}


# A fluid leak belongs to the surgeon who opened the dura: skull base / pituitary / head -> brain, else spine.
_CRANIAL = re.compile(
    r"\b(?:pituitary|trans-?sphenoidal|endonasal|skull base|nose|nostrils?|craniotomy|crani\w+|brain|head|skull|"
    r"acoustic|meningioma|tumou?r|shunt|ventricul\w+)\b"
)


def _flag_topic(flags: list, text: str = "") -> str | None:
    for flag in flags:
        if flag.code in FLAG_TOPICS:
            return FLAG_TOPICS[flag.code]
        if flag.code == "csf_leak":
            return "brain" if _CRANIAL.search(normalise(text)) else "spine"
    return None


def _unreadable(text: str) -> bool:
    # Terse English ("L5 S1 microdiscectomy recovery") has few function words but hits the lexicon.
    return looks_unreadable(text) and not any(topic_scores(text).values())


_default: TriageEngine | None = None
_default_lock = threading.Lock()


def default_engine() -> TriageEngine:
    """An engine trained on the base corpus only, built once per process on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = TriageEngine.train()
        return _default
