"""Floors on tests/triage/data/heldout_written.jsonl: 240 messages written without sight of the corpus.

The set has since been used during development (its misses were fixed as classes of phrasing), so
these are regression floors, not honest estimates: see bench/triage_cv.py for cross-validation.
"""

import json
from pathlib import Path

from service.triage.engine import TriageEngine
from service.triage.evaluation import evaluate

HELDOUT = Path(__file__).parent / "data" / "heldout_written.jsonl"


def test_heldout_written_floors(engine: TriageEngine) -> None:
    rows = [json.loads(line) for line in HELDOUT.read_text("utf-8").splitlines() if line.strip()]
    report = evaluate(engine, rows)
    misses = [(m.expected_tag, m.tag, m.expected_urgent, m.urgent, m.text[:80]) for m in report.misses]
    assert report.accuracy >= 0.93, misses
    assert report.urgent_recall == 1.0, misses
    assert report.urgent_precision is not None and report.urgent_precision >= 0.85, misses


def test_base_corpus_does_not_copy_the_heldout_set() -> None:
    from service.triage.corpus import base_examples

    heldout = {json.loads(line)["text"].strip().lower() for line in HELDOUT.read_text("utf-8").splitlines() if line.strip()}
    assert not [text for text, _ in base_examples() if text.strip().lower() in heldout]
