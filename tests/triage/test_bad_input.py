"""Whatever a form or an email delivers, triage answers and never crashes."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.triage.engine import TOPICS, TriageEngine


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        None,
        "🙂🙏😭",
        "\x00\x01\x02\x1b[31m",
        b"\xff\xfe\x00\x01\x89PNG\r\n",
        bytes(range(256)),
        "Ich habe seit drei Wochen starke Kopfschmerzen und mir ist oft schwindelig.",
        "Мне нужна консультация нейрохирурга",
        "?!?!...",
    ],
)
def test_unreadable_input_is_general_with_no_confidence_for_review(engine: TriageEngine, text: object) -> None:
    result = engine.classify(text)  # type: ignore[arg-type]
    assert (result.tag, result.confidence, result.needs_review) == ("general", 0.0, True)
    assert result.urgent is False


def test_a_megabyte_message_is_answered_fast(engine: TriageEngine) -> None:
    import time

    text = "My back hurts and the pain goes down my leg. " * 25_000
    started = time.perf_counter()
    result = engine.classify(text)
    assert time.perf_counter() - started < 1.0
    assert result.tag == "spine"


def test_terse_clinical_shorthand_is_still_read(engine: TriageEngine) -> None:
    # Few English function words, but plainly a spine question: must not be mistaken for another language.
    assert engine.classify("L5 S1 microdiscectomy recovery timeline").tag == "spine"


def test_emergency_in_a_noisy_message_is_still_flagged(engine: TriageEngine) -> None:
    result = engine.classify("\x00\x00 my face is drooping and my speech is slurred since 10 minutes ago 🙁")
    assert result.urgent is True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_any_text_gets_a_valid_answer(engine: TriageEngine, text: str) -> None:
    result = engine.classify(text)
    assert result.tag in TOPICS
    assert 0.0 <= result.confidence <= 1.0
    assert set(result.as_json()) == {"tag", "confidence", "urgent", "reasons"}
