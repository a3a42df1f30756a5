"""Topic classification on patients' own words: messages written for these tests, not in the base corpus."""

import pytest

from service.triage.corpus import base_examples
from service.triage.engine import TOPICS, TriageEngine

HELD_OUT = [
    ("spine", "Every time I sneeze a bolt of pain goes from my lower back right down to my heel."),
    ("spine", "I can only walk to the end of the garden before my legs turn to lead and I have to sit down on the wall."),
    ("spine", "my neck's been crunchy for years but now my left thumb is numb and i can't grip the steering wheel properly"),
    ("spine", "Mum's had two crush fractures in her back from thinning bones and she's shrinking. What can be done?"),
    ("spine", "The rods they put in my back as a teenager feel like they're rubbing. Could they be taken out?"),
    ("spine", "Six weeks on from having the disc trimmed in my lower back and the toes on my right foot still tingle."),
    ("spine", "My son's back is curving to one side and his shoulder blade sticks out. The school nurse noticed."),
    ("spine", "Deep pain in my bum cheek when I sit at my desk, shooting into the back of my thigh."),
    ("spine", "Since my back op last year the pain is just as bad as before. Was it a waste of time?"),
    ("spine", "My hands feel like I'm wearing gloves and I'm tripping over my own feet. Neck MRI shows the cord is squeezed."),
    ("spine", "Is it ok to go horse riding with a fused lower back?"),
    ("spine", "Bottom of my spine aches where it meets the pelvis, one side, worse getting out of the car."),
    ("brain", "My little boy's head measures big for his age and his eyes look like they're looking down all the time."),
    ("brain", "Dad keeps repeating himself, his walking has gone very shuffly and he's wetting himself. The scan showed big fluid spaces."),
    ("brain", "The jolts in my jaw when I shave are unbearable, like being stabbed with a needle."),
    ("brain", "They spotted a bulge on a blood vessel in my head when I had a scan for something else."),
    ("brain", "My daughter's valve was changed in the summer and she's been more tired since. Could it be set wrong?"),
    ("brain", "I've had growths removed from my head twice and the latest scan shows another one. What now?"),
    ("brain", "My wife has started having funny turns where she stares and smacks her lips, and the MRI shows a lesion."),
    ("brain", "Waking up with a pounding head and being sick most mornings for three weeks."),
    ("brain", "What is it like to be awake while they operate on your brain?"),
    ("brain", "My father's shaking hands make it impossible to eat soup. The neurologist mentioned an implant in the brain."),
    ("brain", "I have a gland tumour at the base of my brain and I keep bumping into door frames on one side."),
    ("brain", "My son took a knock to the head at football two weeks ago and still has headaches and can't concentrate at school."),
    ("tos", "If I carry my toddler on my shoulder my whole arm buzzes and goes heavy after a few minutes."),
    ("tos", "Reaching up to stack shelves at work, my fingers go white and numb and my arm gives up."),
    ("tos", "I row competitively and my arm puffs up and feels full after training, with veins showing on my shoulder."),
    ("tos", "Tightness above my collar bone and my little fingers tingle when I hold my phone to my ear."),
    ("tos", "My surgeon wants to take out my top rib. How long until I can swim again?"),
    ("tos", "The physio did a test where I open and close my fists with my arms up and I couldn't last thirty seconds."),
    ("tos", "Extra bone at the bottom of my neck on the x-ray and my hand goes cold when I work overhead."),
    ("tos", "I'm a guitarist and after long gigs the strap on my shoulder leaves my arm tingling and weak."),
    ("general", "Hi, can you tell me if there's a cash machine at the hospital?"),
    ("general", "I need the clinic's tax ID for my flexible spending claim."),
    ("general", "Will somebody ring me back about moving my Thursday slot? I start a new job that day."),
    ("general", "My letter says to go to level 3 but the lifts only go to level 2. Where is the clinic?"),
    ("general", "Could you email me the invoice for my wife's scan? The paper one got lost."),
    ("general", "Is there free wifi in the waiting area?"),
    ("general", "Please can my notes from the neck operation be sent to the pain clinic at St Mary's?"),
    ("general", "Who fills in the travel insurance medical form? I'm going abroad after my brain scan follow-up."),
]


# Kinds that failed on a fresh development set, in new words: clinical questions wrapped in admin
# (waiting lists, booked appointments, replies), admin that names a body part, report jargon,
# professionals and carers writing, and patients whose first language is not English.
MIXED_INTENT = [
    ("spine", "On the list for my neck op, the arm pain is manageable but now I've got numbness in my left hand all the time. Do I tell someone?"),
    ("spine", "Thank you for the advice last week. The leg pain has eased but my big toe is still weak. Do I still need the scan?"),
    ("spine", "'Ligamentum flavum hypertrophy and facet joint effusions at L4-5' - I have back pain standing. Would a decompression help?"),
    ("spine", "Physio writing: 52M, 4 months of bilateral neurogenic claudication, MRI severe L4/5 stenosis, failed injections. Referral for surgical opinion please."),
    ("spine", "Hallo, I have from 3 months pain in lower back and the right leg, it is like electric. My doctor say hernia. I am 40. What can I do?"),
    ("brain", "I'm on the list for my shunt to be revised. My headaches are getting worse every day. Can I be seen sooner?"),
    ("brain", "Health visitor here: a 5 month old's head circumference has crossed two centiles and the fontanelle is tense. Who should I contact at your unit?"),
    ("brain", "My wife has had three funny spells this month where she goes blank, fiddles with her buttons and doesn't know what happened after."),
    ("brain", "Bonjour, my husband has had seizures since last month and the scanner show a lesion in the brain. We want a second opinion."),
    ("brain", "hi its about my dad again, hes dragging his feet and keeps forgetting things, the scan showed big ventricles"),
    ("tos", "I'm on the waiting list to have a rib taken out for thoracic outlet. My arm aches more at work. Should I rest it until then?"),
    ("tos", "Re my arm: the swelling came back after the weekend's climbing and the veins were standing out over my collarbone again."),
    ("tos", "Baseball pitcher, 18. My fingers get cold and pale after pitching and I've lost some speed. Trainer says circulation."),
    ("tos", "Hola, my arm is heavy and the hand cold when I lift it. The doctor say the rib in the neck. Is operation?"),
    ("tos", "Arm swollen after I did a lot of painting above my head, veins standing out over my shoulder. It settled in a day but happened twice now."),
    ("general", "My form asks if I've had any bladder problems. I've got an overactive bladder that the GP is treating. Do I tick yes?"),
    ("general", "Can you send the appointment letter for my rib surgery consultation in large print? My eyesight is poor."),
    ("general", "Employer's occupational health: we have written consent from our employee to request a summary of his neck surgery. Where do we send it?"),
    ("general", "My mum with dementia has an appointment about her headaches. She gets agitated. Can we wait outside rather than in the waiting room?"),
    ("general", "Hello, I am from Romania, I need to register for an appointment for my back. What documents I need?"),
    ("general", "Sorry, wrong department, I meant to email the orthopaedic clinic about my knee."),
]


def test_held_out_messages_are_not_in_the_base_corpus() -> None:
    base = {text.lower() for text, _ in base_examples()}
    assert not [text for _, text in HELD_OUT + MIXED_INTENT if text.lower() in base]


def test_admin_wrapped_symptoms_reach_a_surgeon_and_admin_naming_a_body_part_does_not(engine: TriageEngine) -> None:
    wrong = [(tag, engine.classify(text).tag, text) for tag, text in MIXED_INTENT if engine.classify(text).tag != tag]
    assert 1 - len(wrong) / len(MIXED_INTENT) >= 0.9, wrong


def test_lay_messages_reach_the_right_surgeon(engine: TriageEngine) -> None:
    wrong = [(tag, engine.classify(text).tag, text) for tag, text in HELD_OUT if engine.classify(text).tag != tag]
    accuracy = 1 - len(wrong) / len(HELD_OUT)
    assert accuracy >= 0.85, wrong


@pytest.mark.parametrize(
    "tag,text",
    [
        ("tos", "my hand goes dead when I hang washing"),
        ("brain", "my son's shunt has been playing up"),
        ("spine", "pins and needles down my leg when I sit"),
        ("tos", "pins and needles in my fingers when my arms are overhead"),
        ("general", "what are your opening hours"),
    ],
)
def test_lexicon_phrases_from_the_issue_are_understood(engine: TriageEngine, tag: str, text: str) -> None:
    assert engine.classify(text).tag == tag


def test_confidence_is_a_probability_and_clear_cases_are_confident(engine: TriageEngine) -> None:
    result = engine.classify("I had a first rib resection for thoracic outlet syndrome. When can I lift weights?")
    assert result.tag == "tos"
    assert 0.8 <= result.confidence <= 1.0
    assert result.needs_review is False


def test_general_always_goes_to_review(engine: TriageEngine) -> None:
    result = engine.classify("Where do I park for my appointment?")
    assert result.tag == "general"
    assert result.needs_review is True


def test_review_threshold_is_configurable(engine: TriageEngine) -> None:
    strict = TriageEngine(engine.model, review_threshold=0.999)
    result = strict.classify("Sciatica down my left leg after lifting. Do I need surgery?")
    assert result.tag == "spine" and result.confidence < 0.999
    assert result.needs_review is True


def test_a_correction_teaches_a_new_phrase() -> None:
    phrase = "Could my Bertolotti be why I ache?"
    before = TriageEngine.train()
    assert before.classify(phrase).tag != "spine"
    corrections = [
        ("My doctor says I have Bertolotti syndrome. What are the options?", "spine"),
        ("Is Bertolotti something you operate on?", "spine"),
        ("Bertolotti and I ache every day", "spine"),
    ]
    after = TriageEngine.train(corrections)
    assert after.classify(phrase).tag == "spine"


def test_training_rejects_unknown_topics() -> None:
    with pytest.raises(ValueError, match="unknown topic"):
        TriageEngine.train([("my knee hurts", "orthopaedics")])


def test_every_topic_is_represented_in_the_base_corpus() -> None:
    counts = {topic: sum(1 for _, tag in base_examples() if tag == topic) for topic in TOPICS}
    assert len(base_examples()) >= 400
    assert min(counts.values()) >= 80, counts
