"""Measuring an engine on labelled messages: per-topic precision/recall/F1, accuracy, emergency recall."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from service.triage.corpus import TOPICS
from service.triage.engine import TriageEngine


@dataclass(frozen=True)
class ClassMetrics:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Miss:
    text: str
    expected_tag: str
    tag: str
    expected_urgent: bool
    urgent: bool


@dataclass(frozen=True)
class Report:
    n: int
    accuracy: float
    macro_f1: float
    urgent_recall: float | None  # None when the rows hold no emergency: recall is undefined, not 1
    urgent_precision: float | None  # None when nothing was flagged urgent
    per_class: dict[str, ClassMetrics]
    misses: list[Miss] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "n": self.n,
            "accuracy": _rounded(self.accuracy),
            "macro_f1": _rounded(self.macro_f1),
            "urgent_recall": _rounded(self.urgent_recall),
            "urgent_precision": _rounded(self.urgent_precision),
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def evaluate(engine: TriageEngine, rows: Iterable[dict]) -> Report:
    """Score `engine` on rows {"text", "tag", "urgent"}; a missing "urgent" means not urgent."""
    pairs: list[tuple[str, str]] = []
    urgent_pairs: list[tuple[bool, bool]] = []
    misses: list[Miss] = []
    for row in rows:
        result = engine.classify(row["text"])
        expected_urgent = bool(row.get("urgent", False))
        pairs.append((row["tag"], result.tag))
        urgent_pairs.append((expected_urgent, result.urgent))
        if result.tag != row["tag"] or result.urgent != expected_urgent:
            misses.append(Miss(row["text"], row["tag"], result.tag, expected_urgent, result.urgent))

    # Like scikit-learn's macro average: over topics that were expected or predicted at least once.
    seen = [t for t in TOPICS if any(t in pair for pair in pairs)]
    per_class = {}
    for topic in seen:
        tp = sum(1 for e, p in pairs if e == topic and p == topic)
        predicted = sum(1 for _, p in pairs if p == topic)
        support = sum(1 for e, _ in pairs if e == topic)
        precision = _ratio(tp, predicted) or 0.0
        recall = _ratio(tp, support) or 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[topic] = ClassMetrics(precision, recall, f1, support)

    n = len(pairs)
    flagged_right = sum(1 for e, p in urgent_pairs if e and p)
    return Report(
        n=n,
        accuracy=_ratio(sum(1 for e, p in pairs if e == p), n) or 0.0,
        macro_f1=sum(m.f1 for m in per_class.values()) / len(per_class) if per_class else 0.0,
        urgent_recall=_ratio(flagged_right, sum(1 for e, _ in urgent_pairs if e)),
        urgent_precision=_ratio(flagged_right, sum(1 for _, p in urgent_pairs if p)),
        per_class=per_class,
        misses=misses,
    )


def format_report(report: Report) -> str:
    """A per-topic table, then as the last line one JSON object with the headline figures."""
    lines = [f"{'topic':<10}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for topic, m in report.per_class.items():
        lines.append(f"{topic:<10}{m.precision:>10.3f}{m.recall:>10.3f}{m.f1:>10.3f}{m.support:>10d}")
    lines.append(json.dumps(report.summary()))
    return "\n".join(lines)
