"""The negation and time scoper on its own: the grammar behind the red-flag decoys."""

import pytest

from service.triage.scoping import (
    Tense,
    is_denied_after,
    is_example_list,
    is_hypothetical,
    is_negated,
    is_resolved,
    sentences,
    tense_at,
)


def at(sentence: str, word: str) -> int:
    return sentence.index(word)


@pytest.mark.parametrize(
    "sentence,word",
    [
        ("no numbness in my groin", "numbness"),
        ("she denies any weakness", "weakness"),
        ("i have never had bladder problems", "bladder"),
        ("back pain without fever or chills", "chills"),
        ("no weakness, numbness or bladder trouble", "bladder"),
    ],
)
def test_negation_reaches_forward(sentence: str, word: str) -> None:
    assert is_negated(sentence, at(sentence, word))


@pytest.mark.parametrize(
    "sentence,word",
    [
        ("no fever, my wound is leaking", "leaking"),
        ("not sure why but my face is drooping", "drooping"),
        ("i wet myself without feeling it", "wet"),
        ("no idea what happened and i have had no help at all since then my arm is blue", "blue"),
    ],
)
def test_negation_stops_at_a_new_statement_or_distance(sentence: str, word: str) -> None:
    assert not is_negated(sentence, at(sentence, word))


def test_conditionals_and_things_read_about_are_hypothetical() -> None:
    assert is_hypothetical("what should i do if my hand turns blue", at("what should i do if my hand turns blue", "blue"))
    assert is_hypothetical("i read that fever can mean infection", at("i read that fever can mean infection", "fever"))
    assert not is_hypothetical("my hand is blue, is that serious", 0)


@pytest.mark.parametrize(
    "sentence,word,tense",
    [
        ("ten years ago i had the worst headache of my life", "worst", Tense.PAST),
        ("i had a seizure ten years ago", "seizure", Tense.PAST),
        ("i had a clot years ago and today my arm is swollen", "swollen", Tense.CURRENT),
        ("back in 2019 i had a wound infection, with fever", "fever", Tense.PAST),
        ("a friend had a clot in her arm", "clot", Tense.PAST),
        ("my mum had a seizure this morning", "seizure", Tense.CURRENT),
        ("in the past hour my hand went cold", "cold", Tense.CURRENT),
        ("my arm is swollen", "swollen", Tense.UNKNOWN),
    ],
)
def test_the_nearest_time_cue_decides_when(sentence: str, word: str, tense: Tense) -> None:
    assert tense_at(sentence, at(sentence, word)) is tense


def test_sentences_keep_their_offsets() -> None:
    text = "first one. second? third"
    assert [(s.text.strip(), text[s.start : s.end].strip()) for s in sentences(text)] == [
        ("first one.", "first one."),
        ("second?", "second?"),
        ("third", "third"),
    ]


def test_a_general_question_is_hypothetical_but_a_personal_one_is_not() -> None:
    generic = "are sudden headaches a sign of a tumour?"
    personal = "is it serious that my face is drooping?"
    assert is_hypothetical(generic, at(generic, "sudden"))
    assert not is_hypothetical(personal, at(personal, "drooping"))


@pytest.mark.parametrize(
    "sentence,word",
    [
        ("my gp asked me about bladder problems", "bladder"),
        ("what are the warning signs of infection", "infection"),
        ("which symptoms after surgery mean i should call", "surgery"),
        ("they checked me for numbness", "numbness"),
    ],
)
def test_questions_about_signs_and_screening_are_hypothetical(sentence: str, word: str) -> None:
    assert is_hypothetical(sentence, at(sentence, word))


def test_resolution_after_a_mention_makes_it_history() -> None:
    sentence = "the wound was red in the first week and it's cleared"
    assert is_resolved(sentence, at(sentence, "red") + 3)
    assert not is_resolved("the wound is red but the swelling has settled", 17)
    assert not is_resolved("the redness hasn't cleared up", 11)


def test_a_closing_denial_takes_back_what_came_before() -> None:
    sentence = "the nurse asked about bladder and bowel problems - i don't have any."
    assert is_denied_after(sentence, at(sentence, "problems"))
    assert is_denied_after("she asked about numbness.", 24, "i don't have any.")
    assert not is_denied_after("i wet myself and i don't know why", 12)


def test_an_example_list_after_a_question_is_not_a_report() -> None:
    assert is_example_list("like a fever or the wound leaking?", "what should i watch for?")
    assert not is_example_list("my wound is leaking.", "what should i do?")


# --- word by word, as the urgency model reads it ----------------------------------------------------


def _scoped(sentence: str) -> dict[str, str]:
    from service.triage.scoping import word_scopes

    return dict(word_scopes(sentence))


def test_words_after_a_denial_are_marked_negated_but_not_past_the_contrast() -> None:
    scopes = _scoped("i have no numbness in my legs but my bladder is leaking")
    assert scopes["numbness"] == "neg" and scopes["legs"] == "neg"
    assert scopes["bladder"] == "" and scopes["leaking"] == ""


def test_a_warning_sign_question_and_a_relatives_history_are_not_the_patients_symptoms() -> None:
    assert _scoped("what signs of infection should i watch for after surgery")["infection"] == "hyp"
    assert _scoped("my mother had a stroke in 2010")["stroke"] == "past"
    assert _scoped("my mum had a seizure this morning")["seizure"] == ""


def test_an_old_event_and_what_is_happening_now_are_told_apart_in_one_sentence() -> None:
    scopes = _scoped("three years ago i had a seizure, now my arm is weak")
    assert scopes["seizure"] == "past" and scopes["weak"] == ""
