"""A trained engine can be stored (e.g. in the database) and loaded by another process."""

import pickle

import pytest

from service.triage.engine import TriageEngine, TriageResult


def test_round_trip_classifies_the_same(engine: TriageEngine) -> None:
    loaded = TriageEngine.loads(engine.dumps())
    for text in ["my arm goes dead when I hang washing", "cancel my appointment", "worst headache of my life just now"]:
        assert loaded.classify(text) == engine.classify(text)


def test_round_trip_keeps_the_review_threshold(engine: TriageEngine) -> None:
    strict = TriageEngine(engine.model, review_threshold=0.9)
    assert TriageEngine.loads(strict.dumps()).review_threshold == 0.9


def test_bytes_of_another_format_are_refused(engine: TriageEngine) -> None:
    stale = pickle.dumps({"format": 0, "engine": engine})
    with pytest.raises(ValueError, match="format"):
        TriageEngine.loads(stale)


def test_bytes_from_another_scikit_learn_are_refused(engine: TriageEngine) -> None:
    payload = pickle.loads(engine.dumps())
    payload["sklearn"] = "0.1"
    with pytest.raises(ValueError, match="scikit-learn"):
        TriageEngine.loads(pickle.dumps(payload))


def test_result_json_has_exactly_the_cli_keys() -> None:
    result = TriageResult("spine", 0.876543, True, ("cauda equina: ...",), False)
    assert result.as_json() == {"tag": "spine", "confidence": 0.8765, "urgent": True, "reasons": ["cauda equina: ..."]}
