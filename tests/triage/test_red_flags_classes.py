"""Red-flag classes added after the second held-out set: fluid leaks after surgery, stroke in lay words
(one-sided vision loss, a side gone numb since lunchtime), weakness that worsens over days, worry about a
present symptom; and the scoping that keeps history, cleared assessments, old operations and chronic
pain from raising alarms. Each list mixes wordings for one class, written for these tests."""

import pytest

from service.triage.engine import TriageEngine
from service.triage.red_flags import detect_red_flags


def codes(text: str) -> set[str]:
    return {flag.code for flag in detect_red_flags(text)}


POSITIVES = {
    "csf_leak": [
        "Eight days after my lumbar decompression the surgeon said there was a small dural tear, and now clear fluid is soaking my dressing.",
        "Since my pituitary tumour was removed through the nose on Thursday, a thin watery drip comes out of my right nostril whenever I bend down.",
        "I keep tasting something salty at the back of my throat since my transsphenoidal operation last week, and my nose drips.",
        "My husband had a laminectomy five days ago and the bandage is wet through with clear liquid, the bed sheet too.",
        "After my endonasal skull base surgery on Monday there is watery fluid running from my nose when I lean forward to tie my shoes.",
        "Day six post-op from a discectomy with a dura repair, my back is leaking a clear, water-like fluid from the incision.",
        "Two weeks since the pituitary op. When I tip my head down, clear drops fall from one side of my nose and it tastes metallic.",
        "The nurse said they patched a tear in the dura during my fusion on Tuesday. Now the pad over my wound is soaked with see-through fluid.",
        "my wife had surgery on her spine 4 days ago, there is clear watery stuff coming out of the wound and she has a headache when she sits up",
        "Since being discharged after my transsphenoidal surgery my nose won't stop running clear fluid.",
        "My son had a tumour removed at the back of his spine last week and his dressing keeps getting wet with clear fluid.",
        "Operation through my nose for a pituitary adenoma on Friday; since yesterday clear liquid drips from my nose non-stop.",
        "My microdiscectomy was a week ago and they mentioned a tiny tear in the dura. There is a damp patch on the dressing that looks like plain water.",
        "Nine days after skull base surgery fluid like water runs out of my nose every time I look down at my phone.",
    ],
    "stroke": [
        "Since lunchtime I can't see anything to my left and my right hand has gone numb.",
        "About an hour ago half of my vision just disappeared, I keep bumping into things on my right.",
        "My father suddenly went blind in one eye this morning.",
        "Since lunch my mum's left arm and leg feel numb and heavy.",
        "This afternoon my left hand went dead and I couldn't see the left side of the TV.",
        "My wife says since breakfast she can't see out of the right side of either eye.",
        "I suddenly lost the vision on the right side of both eyes twenty minutes ago.",
        "The whole left side of my body went numb this evening and it hasn't come back.",
        "Since 2pm my right side has been numb from my face down to my foot.",
        "It's like a curtain came down over my left eye an hour ago.",
        "Today at lunch my husband's right hand went weak and clumsy and he can't hold his cup.",
        "Since this morning I'm seeing double and my left arm feels weak.",
        "I'm worried that his face is drooping, it started half an hour ago.",
        "We are scared that her speech is muddled since this afternoon.",
        "I'm concerned my dad can't lift his right arm since lunchtime.",
        "My left arm has been weak and heavy since this morning and I can't grip anything.",
        "grandad cant see on his right side since about 4 o'clock and his right hand is floppy",
        "Out of nowhere my left eye went black and my left fingers are tingling, 30 minutes ago.",
    ],
    "progressive_weakness": [
        "Months of sciatica, but since Monday my foot slaps the floor and now the whole leg is weak, worse every day.",
        "My right leg has got weaker each day this week and now I'm dragging it behind me.",
        "Over the last four days my foot has been flopping more and more and I can hardly lift my toes.",
        "My husband's legs are getting weaker day by day since Saturday, now he can't climb the stairs.",
        "Started dragging my left foot on Wednesday, today the whole leg is heavy and useless.",
        "Two days ago my ankle got weak, now I can't lift my leg off the bed at all.",
        "Each day my arm gets weaker, I can't lift the kettle now and it started on Sunday.",
        "In the past few days my legs have become weaker and weaker and I have fallen twice.",
        "My back pain has been bad for months, but this week my foot started dragging and it is worse every day.",
        "Leg was normal until Thursday, then the foot began to drop and now I can't lift the leg onto the bed and it's spreading up.",
    ],
}

DECOYS = [
    # fluid and nose, but not a leak after surgery
    "I've had a runny nose with clear snot all week, I think it's a cold. I had pituitary surgery in 2019.",
    "After surgery can I only drink clear fluids for the first day?",
    "Is some clear fluid on the dressing normal after a discectomy? I'm having mine next month.",
    "Three years after my lumbar fusion I still get a bit of a clear runny nose in the mornings from hay fever.",
    "My eyes water and my nose runs when I go out in the cold.",
    "What does a CSF leak look like after pituitary surgery? I want to know what to watch for.",
    "The scar from my fusion two years ago is fine, just a bit itchy.",
    # chronic residual after a past emergency
    "Five years ago I had emergency surgery for cauda equina. I still have some numbness around my bottom and have to take care with my bladder.",
    "I had a bleed on the brain in 2017 and I still have a weak left hand. Can I get help with typing at work?",
    "Two years ago I had a stroke. My speech is still a bit slurred when I'm tired; is speech therapy available?",
    "Since my spinal surgery in 2020 I'm left with a numb patch on my buttock and some bladder urgency.",
    "Back in 2015 I had a discectomy for cauda equina syndrome and I've never fully recovered the feeling in my saddle area.",
    "I had a stroke last year and my right arm is still weak. Can I drive again?",
    # assessed and cleared
    "Last Saturday I had a sudden bad headache, went to A&E, the CT and lumbar puncture were both clear and they discharged me.",
    "My wife had a thunderclap headache on Friday; the hospital did a scan and an LP, nothing was found and she's home.",
    "The incision is a little red at the edge, the surgeon checked it and said it's normal healing.",
    "There's some redness around my stitches but the practice nurse said that's part of the healing process.",
    "My dad had a sudden dizzy spell and slurred words on Sunday, the stroke team ruled out a stroke and sent him home.",
    "I went to the emergency department with a sudden terrible headache, CT normal, they let me go home the same night. Should I follow up?",
    "The wound is slightly pink and the GP said it looks fine.",
    # worst pain without a sudden headache now
    "My trigeminal neuralgia is the worst pain I have ever had; it has been like that for eight years.",
    "Sciatica is honestly the worst pain I've ever had, three weeks now.",
    "The worst pain of my life was my kidney stone, but now I'm asking about a back operation.",
    "These cluster headaches are the worst pain I've ever felt, I've had them every spring for years, nothing has changed.",
    # months after surgery
    "Seven months after my first rib removal I still get pain in my chest wall when I breathe deeply and a numb patch under my arm.",
    "A year after my ACDF my voice still gets hoarse and swallowing big pills is hard. Is that normal?",
    "Nine months after my craniotomy the scar sometimes looks a bit red. Is that normal?",
    "I had a laminectomy 18 months ago and I get a mild fever with every cold. Is the operation to blame?",
    # worry about the future, not a present symptom
    "I'm worried that I might have a stroke like my mother did.",
    "I'm afraid my legs could get weak after the operation.",
    "We're concerned about him developing bladder problems later.",
    # weakness not getting worse
    "My leg has been weak since my disc operation two years ago but it's getting stronger every day with physio.",
    "My foot drop is improving a little each day since the decompression.",
    "I've had a slightly weak grip for years; nothing new.",
    # one side numb, but not a stroke
    "I wake up most mornings with my right hand numb, shaking it gets the feeling back.",
    "When I sit for a long time my left leg goes numb.",
    "My vision goes a bit grey for a second when I stand up quickly.",
    "I've had double vision for years since my squint operation as a child.",
    "My migraines are the worst pain ever and I've had them since I was at school, since childhood really.",
    "Three years ago I was operated on for cauda equina; some numbness remains around my back passage. Is cycling OK?",
    "Went to the ER on Monday with a sudden pounding headache, the CT was normal and they sent me home with paracetamol.",
    "Five months after the fusion I still run a slight temperature now and then.",
]


@pytest.mark.parametrize("code,text", [(c, t) for c, texts in POSITIVES.items() for t in texts])
def test_class_positive_is_flagged(code: str, text: str) -> None:
    assert code in codes(text), detect_red_flags(text)


@pytest.mark.parametrize("text", DECOYS)
def test_class_decoy_is_not_flagged(text: str) -> None:
    assert detect_red_flags(text) == []


RENEWED_AFTER_ASSESSMENT = [
    "On Monday the nurse said the redness was normal, but today the wound is much worse and leaking pus, I'm ten days post-op.",
    "The CT was clear when I went to A&E with a sudden headache, but now it has come back even worse and I keep vomiting.",
]


@pytest.mark.parametrize("text", RENEWED_AFTER_ASSESSMENT)
def test_a_problem_worse_after_it_was_cleared_is_flagged(text: str) -> None:
    assert detect_red_flags(text)


@pytest.mark.parametrize(
    "text,topic",
    [
        ("Five days after my lumbar fusion clear fluid keeps soaking through the dressing; they repaired a dural tear.", "spine"),
        ("Since my pituitary surgery through the nose last week, clear salty drops run from one nostril when I lean forward.", "brain"),
    ],
)
def test_fluid_leak_is_routed_by_the_operation(engine: TriageEngine, text: str, topic: str) -> None:
    result = engine.classify(text)
    assert result.urgent and result.tag == topic


SLOW_SWALLOW_DECOYS = [
    "Three weeks after my ACDF swallowing toast is still a bit hard. Is that part of recovery?",
    "My follow-up for the anterior cervical fusion is on Monday; swallowing is still difficult with dry food.",
]
SWALLOW_EMERGENCIES = [
    "I had my ACDF yesterday and now it is getting harder to swallow and my neck looks swollen.",
    "Three weeks after neck surgery I suddenly can't swallow my own spit.",
]


@pytest.mark.parametrize("text", SLOW_SWALLOW_DECOYS)
def test_a_slow_swallow_weeks_after_neck_surgery_is_not_an_emergency(text: str) -> None:
    assert detect_red_flags(text) == []


@pytest.mark.parametrize("text", SWALLOW_EMERGENCIES)
def test_a_new_or_swelling_swallow_problem_after_neck_surgery_is(text: str) -> None:
    assert "postoperative_airway" in codes(text)


@pytest.mark.parametrize(
    "text,topic",
    [
        ("When will they replace the bit of skull they took out after my bleed? I'm sick of the helmet.", "brain"),
        ("Is it normal to still feel drained four months after a subarachnoid haemorrhage?", "brain"),
        ("Should my children be screened? Their grandfather and I both had aneurysms.", "brain"),
        ("I take HRT and have a meningioma on watch. Is that a bad combination?", "brain"),
        ("Two weeks out from an endoscopic third ventriculostomy, when can I swim?", "brain"),
        ("The scan showed a Tarlov cyst by chance. Is it anything?", "spine"),
        ("Hoarse voice since the front-of-neck disc operation, should I tell the surgeon at follow-up?", "spine"),
        ("My thumb and first two fingers go numb at night and shaking my hand brings them back.", "general"),
        ("Every month around my period I get a low backache, is that my discs?", "general"),
        ("Can you help with the cost of travel to the hospital for my son's shunt reviews?", "general"),
        ("Is there somewhere quiet to wait? Crowds set off my seizures.", "general"),
    ],
)
def test_under_covered_topics(engine: TriageEngine, text: str, topic: str) -> None:
    assert engine.classify(text).tag == topic
