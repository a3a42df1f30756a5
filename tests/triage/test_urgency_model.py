"""The urgency model: a safety net that catches emergencies told in words no red-flag rule lists.

The messages here were written for these tests; none is in the model's training corpus.
"""

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from service.triage.engine import TriageEngine
from service.triage.red_flags import detect_red_flags
from service.triage.urgency_model import (
    NONE,
    THRESHOLD,
    cross_validate,
    hand_written_examples,
    windows,
)

HELDOUT = Path(__file__).parent / "data" / "heldout_written.jsonl"

# (message, the surgeon it must reach): emergencies the rule book has no words for.
UNLISTED_EMERGENCIES = [
    ("My hand has gone the colour of candle wax and feels like ice since an hour, I can't grip", "tos"),
    ("Had my rib out for TOS on Friday, now I'm puffing like I've run a marathon just sitting here "
     "and it stabs when I breathe in", "tos"),
    ("My legs are letting me down more every day, on Sunday I walked the dog and today I can't reach the kitchen",
     "spine"),
    ("My bottom feels like it's made of cardboard and I can't tell if I've done a wee, my back went yesterday",
     "spine"),
    ("Dad was chatting then his speech turned to mush and his right hand won't hold the remote", "brain"),
    ("Grandma's mouth has slid down on one side and she's talking gibberish since lunch", "brain"),
    ("Our son just went stiff and shook all over at the dinner table, he's never done that", "brain"),
    ("My teenage son crumpled on the floor and his arms and legs were jerking and he didn't know us after, "
     "first time", "brain"),
]

# Emergency words that describe no emergency: denied, past, someone else's, imagined, long-standing.
DECOYS = [
    "I don't have any numbness down below and I wee normally, it's just my back ache that's bothering me",
    "My grandfather had a stroke when I was little, does that mean I'm at risk?",
    "What signs of a blocked shunt should I look out for in my son?",
    "Two years ago I had a fit after my head injury and I've been fine since, can I drive?",
    "If my wound got red and hot after the operation, would I need antibiotics?",
    "My mum's face drooped with Bell's palsy in 2019, it fully recovered",
    "My arm has always gone a bit white in the cold, I have Raynaud's",
    "My son bumped his head on the table yesterday, no sickness, he's been playing normally",
]


@pytest.fixture(scope="module")
def rules_only(engine: TriageEngine) -> TriageEngine:
    return TriageEngine(engine.model, review_threshold=engine.review_threshold, urgency=None)


@pytest.mark.parametrize("text,surgeon", UNLISTED_EMERGENCIES)
def test_an_emergency_in_words_no_rule_lists_is_flagged_with_a_reason_and_reaches_its_surgeon(
    engine: TriageEngine, text: str, surgeon: str
) -> None:
    assert detect_red_flags(text) == [], "a rule now covers this wording: pick one no rule knows"
    result = engine.classify(text)
    assert result.urgent
    assert any("the model's reading" in reason for reason in result.reasons), result.reasons
    assert result.tag == surgeon


def test_a_stroke_told_by_a_spine_patient_goes_to_the_brain_surgeon(
    engine: TriageEngine, rules_only: TriageEngine
) -> None:
    text = (
        "I am waiting for my lumbar fusion. "
        "Since this afternoon my words come out as mush and my right hand will not hold a pen."
    )
    assert rules_only.classify(text).tag == "spine"
    result = engine.classify(text)
    assert result.urgent and result.tag == "brain"
    assert result.reasons == ("Possible stroke (the model's reading, no rule matched): read now",)


@pytest.mark.parametrize("text", DECOYS)
def test_denied_past_family_imagined_and_chronic_symptoms_stay_calm(engine: TriageEngine, text: str) -> None:
    result = engine.classify(text)
    assert not result.urgent and result.reasons == ()


def test_rule_reasons_come_first_and_the_model_does_not_repeat_them(engine: TriageEngine) -> None:
    result = engine.classify("My wife's face is drooping on one side and her speech is slurred since 20 minutes ago")
    assert result.urgent
    assert result.reasons[0].startswith("stroke signs")
    assert not any("Possible stroke" in reason for reason in result.reasons)


def test_the_net_changes_nothing_about_a_message_it_does_not_flag(
    engine: TriageEngine, rules_only: TriageEngine
) -> None:
    rows = [json.loads(line) for line in HELDOUT.read_text("utf-8").splitlines() if line.strip()]
    calm = [row["text"] for row in rows if not row["urgent"]]
    changed = [text for text in calm if engine.classify(text) != rules_only.classify(text)]
    assert all(engine.classify(text).urgent for text in changed)
    # Every change is a false alarm here; a few are the price of recall, many would flood the desk.
    assert len(changed) <= 3, changed


def test_odd_input_gets_a_calm_valid_answer(engine: TriageEngine) -> None:
    for text in ["", "🙂🙂🙂", "Mi madre no puede hablar bien desde esta mañana", "\x00\xff" * 50, "ok. " * 2000]:
        result = engine.classify(text)
        assert result.tag in {"spine", "brain", "tos", "general"} and not result.urgent


def test_a_long_letter_does_not_dilute_one_emergency_sentence(engine: TriageEngine) -> None:
    # Windows are pairs of sentences, so twelve sentences of admin around it do not drown it. (A bare
    # symptom sentence next to one long unrelated sentence does lose weight: a known limit.)
    admin = "I would like to change my appointment and ask about parking and the forms I was sent. " * 6
    emergency = (
        "Also my bottom feels like it's made of cardboard and I can't tell if I've done a wee, "
        "my back went yesterday. "
    )
    text = admin + emergency + admin
    result = engine.classify(text)
    assert result.urgent and result.tag == "spine"


def test_a_stored_engine_keeps_its_safety_net(engine: TriageEngine) -> None:
    loaded = TriageEngine.loads(engine.dumps())
    text, _ = UNLISTED_EMERGENCIES[0]
    assert loaded.classify(text) == engine.classify(text)


def test_the_fast_scoring_path_computes_what_scikit_learn_computes(engine: TriageEngine) -> None:
    model = engine.urgency
    for window in windows("My son has a shunt. He has been sick twice and is sleepy. No fever though."):
        features = sp.hstack([model.words.transform([window.words]), model.chars.transform([window.chars])])
        assert np.allclose(model.probabilities(window), model.classifier.predict_proba(features.tocsr())[0])


def test_the_training_corpus_copies_neither_tests_nor_shared_data() -> None:
    written = {text.strip().lower() for text, _ in hand_written_examples()}
    heldout = {json.loads(line)["text"].strip().lower() for line in HELDOUT.read_text("utf-8").splitlines() if line}
    test_texts = {text.lower() for text, _ in UNLISTED_EMERGENCIES} | {text.lower() for text in DECOYS}
    assert not written & heldout
    assert not written & test_texts


@pytest.fixture(scope="module")
def cv():
    return cross_validate()


def test_cross_validated_recall_and_precision_floors(cv) -> None:
    recall, precision = cv.figures(THRESHOLD)
    # Measured 0.952 / 0.902. The threshold is chosen for precision 0.9; the floor leaves a little room
    # for the base corpus (its calm examples are the net's "none") growing under it.
    assert recall >= 0.94 and precision >= 0.89, (recall, precision)
    model_recall, model_precision = cv.figures(THRESHOLD, rules=False)
    assert model_recall >= 0.9 and model_precision >= 0.9, (model_recall, model_precision)


def test_the_threshold_is_the_one_cross_validation_chooses(cv) -> None:
    # Adding examples moves the curve: re-read bench/triage_cv.py and update THRESHOLD with it.
    assert abs(cv.threshold() - THRESHOLD) <= 0.05


def test_a_flag_names_the_right_emergency_most_of_the_time(cv) -> None:
    caught = [
        (flag, code) for flag, code, p in zip(cv.flags, cv.codes, cv.probabilities) if flag != NONE and p >= THRESHOLD
    ]
    assert sum(flag == code for flag, code in caught) / len(caught) >= 0.93
