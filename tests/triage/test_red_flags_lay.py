"""Red flags in lay, carer and non-native words, and the scoping that keeps questions, resolved
problems and screening questions from raising alarms. Written as classes of phrasing: each list
mixes wordings for one concept rather than repeating one sentence."""

import pytest

from service.triage.red_flags import detect_red_flags


def codes(text: str) -> set[str]:
    return {flag.code for flag in detect_red_flags(text)}


LAY_EMERGENCIES = {
    'cauda_equina': [
        'Please help, my father back very bad since Sunday and today he can not pass the water at all.',
        'my bum and between my legs feel dead since this morning, i have a slipped disc',
        'Since yesterday I am not able to make wee, only few drops, and my lower back is very painful.',
        "I peed myself in the supermarket today and didn't even feel it coming. My sciatica has been awful.",
        "My wife has back pain and now says she can't feel anything down below when she wipes.",
        'Sorry for my English. Strong pain in the back and the legs, and my private area is without feeling from yesterday.',
        'Since the weekend my down below feels numb like after the dentist, and my back is agony.',
        'He has a herniated disc and this morning he soiled himself without realising.',
        "Low back pain for a week. Today I haven't been able to wee since I got up and my bladder feels full.",
        'My saddle area has gone tingly and my legs are weak, I had a discectomy last year.',
        "I don't feel when I need to pee anymore and my back pain is spreading into both legs.",
        "The sciatica is now in both legs and my groin feels like it's asleep.",
        "Mum's back went this week and now she's having accidents with her bladder and seems unaware.",
        'Bad back and I have lost control of my water since this afternoon.',
        "I can't go for a wee since last night, my back has been bad all week",
        'My son (24) has disc prolapse, today he told me he cannot control his pee and feels numb around his bottom.',
        'numbness around my anus and inner thighs with back pain, started today',
        'I keep leaking urine since this morning and my sciatica is worse in both legs',
        "Backache and my bladder doesn't empty properly since yesterday, I have to push.",
        "sciatica both sides, genitals feel numb, can't tell if I need the toilet",
    ],
    'thunderclap_headache': [
        "My husband was lifting weights and suddenly grabbed his head, said it felt like he'd been hit with a bat, and is now vomiting.",
        "Out of the blue a headache hit me like someone struck me on the back of the head, it's 10/10.",
        'My sister collapsed in the kitchen clutching her head and is now drowsy and confused.',
        'I had a headache that went from nothing to the worst pain ever in a few seconds, an hour ago.',
        'Bad headache, my neck is stiff and I keep being sick, light hurts my eyes.',
        "I've never had a headache like this, it came on in an instant while I was on the toilet.",
        "Dad said his head suddenly exploded with pain while gardening and he's been sick twice",
        "A sudden, massive headache hit me during sex half an hour ago, it's still there",
        'my girlfriend screamed and held her head then fell to the floor, she is confused now',
    ],
    'stroke': [
        "My nan's mouth has gone lopsided and she can't lift her left arm, it started half an hour ago.",
        'My husband is talking gibberish all of a sudden and his face looks crooked.',
        "Her face dropped on the right and she can't speak properly, it began 15 minutes ago",
    ],
    'postoperative_airway': [
        "I had a front neck fusion on Monday and tonight my throat feels tight and I'm wheezing.",
        'Day two after my ACDF, swallowing is getting harder and the area around the incision is puffing up.',
        "My dad came home yesterday after his neck operation and now he's short of breath and his neck looks swollen.",
        "After my anterior cervical discectomy three days ago I'm choking on my own spit and my breathing is noisy.",
        "Post-op day 1 after neck surgery and I feel like I can't get enough air.",
        "The front of my neck has ballooned since my operation yesterday and it's hard to swallow water.",
        "My wife had an anterior cervical fusion yesterday, her neck is getting bigger and she says she can't breathe properly",
        'Three days after neck surgery and swallowing is impossible now, even water comes back',
    ],
    'postoperative_pneumothorax': [
        "Four days after my first rib removal I'm breathless walking to the bathroom and my chest hurts when I breathe in.",
        "I had TOS decompression surgery last week and now I have a stabbing pain when I take a deep breath and I'm short of breath.",
        'My daughter had her top rib taken out two days ago and she is struggling to breathe tonight.',
        "Since my scalenectomy and rib resection on Friday I get out of breath talking and there's a sharp pain in my chest.",
        "I had rib resection surgery for thoracic outlet on Tuesday, since tonight I'm gasping and my chest is tight",
    ],
    'spinal_cord_compression': [
        "I'm being treated for prostate cancer and this week my legs have gone weak and wobbly and my back hurts.",
        "My mum has myeloma. Since Saturday she's been tripping over and says both legs feel like lead.",
        "Lung cancer with bone secondaries, and now the middle of my back aches and my feet feel numb and I'm unsteady.",
        'My oncologist said the cancer had spread to my bones. Today my legs keep giving way.',
        'Breast cancer patient on chemo, new band of pain round my chest and my legs are heavy.',
        'I have secondaries in my spine and my legs went numb and weak over the weekend.',
        'My wife has cancer in her lungs; she is struggling to walk since Monday and her back is very painful',
    ],
    'postoperative_infection': [
        'Five days after my laminectomy the wound is weeping yellow stuff and I feel shivery.',
        'Since my op last week the scar is hot to touch and oozing.',
        "I had a spinal fusion 8 days ago and I'm burning up with a temperature of 39",
    ],
    'new_seizure': [
        "My husband had a fit just now on the sofa, he's never had one before, he had a brain bleed last year.",
        'My brother just had a fit at work, first time ever, he had a brain tumour removed',
    ],
    'vascular_tos': [
        "My arm went cold and white an hour ago and I can't feel a pulse at my wrist",
    ],
    'shunt_failure': [
        'My shunted daughter has been throwing up all morning and is very drowsy',
    ],
    'head_injury': [
        'My toddler fell off the bed and hit her head, she has vomited twice and is really sleepy',
    ],
}

NOT_EMERGENCIES = [
    'After my fusion the wound was a bit red at first, the nurse checked it and it has settled now. When can I drive?',
    'Two weeks after my craniotomy I had a fever which cleared up with antibiotics. Is it ok to fly?',
    'The redness around my ACDF scar went away after a few days. Can I swim yet?',
    "I had a temperature the first week after my discectomy but it's gone now. When do the stitches come out?",
    'My discectomy is booked for next week. What problems should I watch for afterwards, such as fever or leaking?',
    'Which symptoms after neck surgery mean I should go to A&E? Trouble swallowing?',
    'What should I look out for after my first rib resection? Shortness of breath?',
    "When should I call 999 with sciatica? If I can't pee?",
    'What are the red flags for cauda equina? I have sciatica and want to know.',
    'If my wound starts leaking after the operation, who do I call?',
    "The physio asked if I had any numbness between my legs or problems with my bladder. I don't have any of those.",
    'They checked me for saddle numbness and bladder problems at A&E and all was fine, just sciatica.',
    "My doctor asked whether I had trouble passing urine with my back pain. I haven't.",
    'No problem with toilet or with feeling down below, only the back pain. Do I need surgery?',
    'Back pain but I can feel everything between my legs and go to the toilet normally.',
    "I've had slight numbness in one buttock for years since my old back operation. Is there any treatment?",
    'I had breast cancer ten years ago and have been discharged; my knee aches when I walk the dog.',
    'My neck is a bit stiff from sleeping funny and I have a mild headache.',
    'After my ACDF two weeks ago my voice is a little hoarse, otherwise I feel fine.',
    "I had my first rib removed in 2019 and I'm training for a half marathon. Any advice?",
    'I get a bit breathless on the stairs since putting on weight. My back also hurts.',
    'My husband has prostate cancer and wants a second opinion about his back MRI report.',
    'Migraine with aura again today like I always get, same as usual. Can I be referred?',
    'I had a bad headache and a stiff neck with flu last winter, all fine now.',
    'Can sciatica make you wet yourself? Asking because my friend said so.',
    'What would happen if I lost bladder control after my discectomy?',
    'I have slight leaking when I sneeze since having my babies, and some lower back ache.',
    'My GP checked for numbness down below and there was none. I have sciatica on the left.',
    "Three months ago my face drooped from Bell's palsy and it has fully recovered.",
    'Do people with metastatic cancer get spinal cord compression? What are the symptoms?',
    "I had cancer treatment years ago. Now I'd like a copy of my spine MRI.",
    'My legs feel heavy after long runs. I have no back pain.',
    "I get headaches when I'm stressed, they build up slowly over the day.",
    "Five weeks after my first rib resection I'm back at the gym, is bench pressing ok?",
    'Before my ACDF they said to report any trouble swallowing. What counts?',
    'My wound healed well after my laminectomy but the scar is itchy.',
    'Can you tell me what signs of a stroke to look out for in my dad? He had a TIA last year.',
    "Is it normal to feel a little short of breath after a general anaesthetic? I'm having a lumbar fusion next month.",
    'Previously had pins and needles in my groin but that went away after my decompression in 2021.',
]


@pytest.mark.parametrize("code,text", [(code, text) for code, texts in LAY_EMERGENCIES.items() for text in texts])
def test_lay_emergency_is_flagged(code: str, text: str) -> None:
    assert code in codes(text), detect_red_flags(text)


@pytest.mark.parametrize("text", NOT_EMERGENCIES)
def test_question_resolved_or_denied_is_not_flagged(text: str) -> None:
    assert codes(text) == set(), detect_red_flags(text)


def test_a_denial_in_the_next_short_sentence_counts() -> None:
    assert codes("The nurse asked about numbness in my groin. None of those.") == set()


def test_resolution_does_not_reach_past_a_contrast() -> None:
    text = "Four days after my fusion the wound was red, it settled, but now it is leaking pus."
    assert "postoperative_infection" in codes(text)


def test_not_back_to_normal_keeps_a_symptom_current() -> None:
    # "gone back to normal" is history; "hasn't gone back to normal" is the opposite.
    assert "vascular_tos" in codes("His hand went purple and puffy at the gym this afternoon and it hasn't gone back to normal.")
    assert "vascular_tos" in codes("Her arm swelled up and went a bluish colour after swimming and has not returned to normal.")
    assert codes("My arm went blue and swollen after practice last year but it went back to normal.") == set()


def test_a_question_about_a_symptom_one_has_is_still_an_emergency() -> None:
    assert "cauda_equina" in codes("I can't pee since this morning and my back is killing me, is that normal?")


def test_no_feeling_is_a_symptom_wherever_it_sits() -> None:
    assert "cauda_equina" in codes("My back is bad and my bottom is without any feeling since lunchtime.")



@pytest.mark.parametrize(
    "text",
    [
        "i think i have a slipped disc. ache in my bum and down my leg, numb toes. what now",
        "After my neck fusion there's a lump-in-the-throat feeling when I swallow pills. Is that the plate?",
    ],
)
def test_separate_complaints_and_globus_are_not_emergencies(text: str) -> None:
    assert codes(text) == set(), detect_red_flags(text)
