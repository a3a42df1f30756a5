"""Red flags: every emergency the clinic lists is caught, and the usual decoys are not."""

import time

import pytest

from service.triage.red_flags import RedFlag, detect_red_flags


def codes(text: str) -> set[str]:
    return {flag.code for flag in detect_red_flags(text)}


EMERGENCIES = {
    "cauda_equina": [
        "Since last night I have no feeling between my legs and my back is killing me.",
        "I woke up with my bum and the inside of my thighs numb, I have a slipped disc.",
        "My sciatica is in both legs now and I can't feel the toilet paper when I wipe.",
        "I couldn't pee all day even though I needed to, and my lower back pain is terrible.",
        "I've had a bad back for a week and this afternoon I lost control of my bowels.",
        "Twice today I wet myself without noticing. I have a herniated disc at L4-5.",
        "my husband's back went out lifting a sofa and now he cant pee and his groin is numb",
        "Pins and needles in my saddle area since this morning, on top of my usual sciatica.",
        "New urinary incontinence since yesterday with severe low back pain down both legs.",
        "My back pain is worse and I have started having trouble controlling my bladder.",
    ],
    "thunderclap_headache": [
        "The worst headache of my life started ten minutes ago while I was at the gym.",
        "My wife suddenly grabbed her head and said it's the worst pain she has ever had.",
        "A headache came on out of nowhere, like being hit with a hammer, and I feel sick.",
        "Sudden explosive headache at the back of my head an hour ago with a stiff neck.",
        "I think I just had a thunderclap headache, I have an aneurysm that is being watched.",
    ],
    "stroke": [
        "Dad's face is drooping on one side and his words are slurred.",
        "My mother suddenly can't talk and her right arm is weak, this started twenty minutes ago.",
        "The left side of my mouth is drooping and I can't smile properly.",
        "Her speech became garbled this morning, she has a brain tumour.",
        "My husband's left arm suddenly went limp and he can't lift it.",
        "Just now my right leg gave way and my right arm is weak, it came on suddenly.",
        "I think my dad is having a stroke.",
    ],
    "new_seizure": [
        "My son had his first ever seizure this morning, he has a brain cyst.",
        "An hour ago my wife had a fit, shaking and jerking all over, she has never had one before.",
        "I just had a seizure, I had a craniotomy two weeks ago.",
        "Today my dad started convulsing at the dinner table.",
    ],
    "postoperative_infection": [
        "I had a discectomy ten days ago and now I have a fever of 38.9.",
        "My wound from the fusion is oozing green stuff and smells.",
        "After my craniotomy the incision has become red and hot and there is pus.",
        "Two weeks after my ACDF I have chills and a high temperature.",
        "The stitches from my first rib resection have split open and it is leaking.",
    ],
    "vascular_tos": [
        "My right arm swelled up suddenly this morning and feels tight and heavy.",
        "My hand has turned blue and ice cold in the last hour.",
        "Since yesterday my left arm is swollen and purple.",
        "I can't feel a pulse in my wrist and my fingers are white and painful.",
        "Woke up today with my whole arm puffy, dark red-purple and the veins on my shoulder standing out.",
    ],
    "shunt_failure": [
        "My daughter has a shunt and she keeps being sick and is very sleepy today.",
        "VP shunt since birth, he has been vomiting since this morning.",
        "I have a shunt and my headache is getting worse and worse, I can barely keep my eyes open.",
        "Our baby with a shunt is very drowsy and her soft spot is bulging.",
        "My brother has a shunt for hydrocephalus. He threw up three times and is hard to wake.",
    ],
    "progressive_weakness": [
        "My legs have been getting weaker since yesterday and now I can't stand.",
        "Since this morning my foot is dragging and it's getting weaker by the hour.",
        "Over the last two days my arms have become so weak I can't lift a cup.",
        "I have spinal metastases and today my legs are weaker than yesterday.",
        "I've suddenly lost the use of my legs and my back is agony.",
    ],
    "postoperative_airway": [
        "After my ACDF yesterday my neck is swelling and I can't swallow.",
        "I had neck surgery two days ago and now I'm struggling to breathe.",
    ],
    "head_injury": [
        "My son fell off his bike and hit his head, now he is confused and keeps asking the same thing.",
        "Grandpa fell this afternoon and bumped his head, he's vomiting and very drowsy.",
        "My wife banged her head on a cupboard an hour ago and now she is sleepy and not making sense.",
    ],
}

DECOYS = {
    "cauda_equina": [
        "No numbness between my legs and no bladder or bowel problems, just sciatica.",
        "Could a herniated disc ever cause incontinence?",
        "If I ever lose control of my bladder with my back pain, should I go to the ER?",
        "Five years ago I had cauda equina surgery and my bladder recovered fully.",
        "My mother had cauda equina years ago. I have mild back pain. Is it genetic?",
        "I had numbness in my groin last year, it went away after physio. Now only back ache.",
        "He denies any saddle numbness or urinary retention.",
        "My bill for the cauda equina operation in March seems wrong.",
        "The numbness on the bottom of my foot has been there since my fusion.",
        "Over the past year my dad has slowly started leaking urine and shuffling; the doctor mentioned a lumbar puncture.",
    ],
    "thunderclap_headache": [
        "Years ago I had the worst headache of my life from a burst aneurysm; now I'm pregnant.",
        "What would the worst headache of your life feel like if an aneurysm burst?",
        "I get mild tension headaches at the end of the day, nothing sudden.",
        "My headaches get worse when I cough or strain, they last a few seconds.",
        "My aunt died of a burst aneurysm. I sometimes get headaches, should I be scanned?",
        "Are sudden headaches a sign of a brain tumour?",
        "I got a headache an hour ago after my MRI, is that normal?",
    ],
    "stroke": [
        "In 2020 I had a stroke with slurred speech, I recovered fully.",
        "My mother uses a wheelchair since her stroke. Is there parking?",
        "My aunt had a stroke last year and it scared me.",
        "My eyelid twitches and pulls the corner of my mouth up.",
        "After my meningioma surgery I sometimes lose words when I'm tired.",
        "No facial droop, no slurred speech, just a dull headache.",
        "What are the warning signs of a stroke I should watch for?",
    ],
    "new_seizure": [
        "My daughter had a seizure in the spring and was found to have an AVM.",
        "Ten years ago I had a seizure because of a tumour, do I still need scans?",
        "I've had epilepsy for years and want to know about epilepsy surgery.",
        "Had one of my usual seizures today, no different from normal, can I ask about surgery options?",
        "Will I have seizures after my craniotomy?",
    ],
    "postoperative_infection": [
        "My fusion is next month. What signs of infection should I watch for?",
        "Back in 2018 I had a wound infection after my fusion with fever, it healed fine.",
        "Three weeks after my craniotomy the wound looks clean and dry, no redness or discharge.",
        "I have the flu and a fever. Should I cancel my appointment?",
        "The incision from my first rib resection is bruised and sore. When can I shower?",
        "My scar is numb and itchy after surgery.",
    ],
    "vascular_tos": [
        "What should I do if my hand ever turns cold or blue?",
        "Three years ago my arm suddenly went blue and swollen from a clot; I had my rib removed.",
        "When I raise my arms my fingers go white and I lose my pulse, my doctor found a cervical rib.",
        "My hands are always cold in winter, I think it's Raynaud's.",
        "I'm worried my arm might swell up some day because of my TOS.",
        "A friend had a blood clot in her arm from TOS. My arm only tingles.",
        "My hand gets a bit puffy that builds up slowly after hours of painting ceilings.",
        "I've caught a cold and my arm tingles when I reach up.",
        "I have a cervical rib; my arm aches and my hand gets cold. Should it come out?",
        "After a match my son's arm looked slightly blue and puffy but it went back to normal.",
        "My fingers go purple and sore after typing for hours with my arms on the desk.",
    ],
    "shunt_failure": [
        "Our son's shunt blocked last year - he was vomiting and drowsy and needed surgery. What signs should we watch for?",
        "Is scuba diving safe with a VP shunt?",
        "Since my shunt revision I get a dull headache in the afternoons that eases when I lie down.",
        "My son has a shunt and no vomiting or drowsiness, just a cold.",
        "Please send the operative report for my daughter's shunt to her new doctor.",
        "Since his shunt was revised my son says his head hurts after school. Could the setting be wrong?",
    ],
    "progressive_weakness": [
        "My triceps weakness has stayed the same for two months, not better or worse.",
        "My foot drop is slowly improving six months after my microdiscectomy.",
        "Pain down my leg is 8/10 but no weakness.",
        "Over the past year my legs have felt a little weaker when I walk long distances.",
    ],
    "postoperative_airway": [
        "Two weeks after my ACDF swallowing is still a little hard but getting better.",
        "Will I have trouble swallowing after my neck fusion?",
    ],
    "head_injury": [
        "Concussion three weeks ago playing rugby, still some headaches and light sensitivity.",
        "I had a subdural drained after a fall, when can I restart aspirin?",
        "My son bumped his head yesterday, he is not drowsy, not vomiting and is playing normally.",
    ],
}


@pytest.mark.parametrize(
    "code,text", [(code, text) for code, texts in EMERGENCIES.items() for text in texts]
)
def test_emergency_is_flagged(code: str, text: str) -> None:
    assert code in codes(text), detect_red_flags(text)


@pytest.mark.parametrize("code,text", [(code, text) for code, texts in DECOYS.items() for text in texts])
def test_decoy_is_not_flagged(code: str, text: str) -> None:
    assert codes(text) == set(), detect_red_flags(text)


def test_negated_numbness_is_not_a_red_flag() -> None:
    assert codes("There is no numbness in my groin, only back pain.") == set()


def test_negation_stops_at_a_new_statement() -> None:
    # "no fever" must not swallow the wound that follows it.
    assert "postoperative_infection" in codes("Four days after my laminectomy: no fever, my wound is leaking pus.")


def test_negated_list_stays_negated() -> None:
    assert codes("Back pain but no weakness, numbness between my legs or bladder problems.") == set()


def test_history_then_current_event_is_flagged() -> None:
    text = "I had a clot in my arm three years ago and today my arm suddenly swelled up again."
    assert "vascular_tos" in codes(text)


def test_third_party_past_is_not_the_patient() -> None:
    assert codes("My grandmother had a stroke with a drooping face. I have back pain.") == set()


def test_third_party_now_is_an_emergency() -> None:
    assert "stroke" in codes("My mum had a funny turn this morning and her face is drooping.")


def test_hypothetical_does_not_reach_past_a_new_statement() -> None:
    assert "stroke" in codes("I'm scared it might be serious, her face is drooping.")


def test_each_flag_explains_itself() -> None:
    flags = detect_red_flags("I wet myself twice today and my back pain is much worse.")
    assert flags == [
        RedFlag(
            "cauda_equina",
            "cauda equina: new bladder or bowel problem (incontinence or retention) with back pain or sciatica",
            flags[0].evidence,
        )
    ]
    assert "wet myself" in flags[0].evidence


def test_several_emergencies_give_several_reasons() -> None:
    flags = detect_red_flags("He fell and hit his head and is confused. Now his face is drooping.")
    assert {"head_injury", "stroke"} <= {f.code for f in flags}


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "🙂🙂🙂", "a" * 1_000_000, "numb " * 200_000])
def test_odd_input_gives_an_answer_quickly(text: str) -> None:
    started = time.perf_counter()
    assert isinstance(detect_red_flags(text), list)
    assert time.perf_counter() - started < 1.0
