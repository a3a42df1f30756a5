"""Emergencies told as something still going on, or in a carer's or non-native wording."""
import pytest

from service.triage.red_flags import detect_red_flags


def codes(text: str) -> set[str]:
    return {flag.code for flag in detect_red_flags(text)}


@pytest.mark.parametrize("text, code", [
    ("my dad has been seizing for about ten minutes and he won't come round", "new_seizure"),
    ("She keeps fitting and it isn't stopping, what do I do", "new_seizure"),
    ("he's been convulsing for more than five minutes", "new_seizure"),
    ("took a blow to the head playing hockey this afternoon and now he is confused about where he is", "head_injury"),
    ("a kick to the head at football, since then she's been sleepy and threw up twice", "head_injury"),
    ("I woke up with my left arm swollen and purple and it feels tight", "vascular_tos"),
    ("my laminectomy was 9 days before, today the wound is leaking pus and I have a fever", "postoperative_infection"),
    ("Back pain for days and he has not passed any urine since breakfast", "cauda_equina"),
    ("Since my pituitary operation last week a thin, watery, salty liquid runs from one nostril", "csf_leak"),
])
def test_ongoing_and_lay_emergencies_are_flagged(text, code):
    assert code in codes(text)


@pytest.mark.parametrize("text", [
    "I had a seizure two years ago and it has not come back since",
    "My usual seizures last about two minutes and my neurologist is happy with that",
    "He had a knock on the head last year and was fine, is he ok to play rugby again?",
    "I have back pain but I have not had any bladder problems",
    "My hands swell a little when I wake up in summer, is that my neck?",
])
def test_past_controlled_or_negated_versions_do_not_alarm(text):
    assert codes(text) == set()
