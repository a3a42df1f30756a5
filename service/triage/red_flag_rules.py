"""The red-flag rule book: which words, in which combination, mean "tell the patient to go now".

Data, not logic: each rule lists the concepts that must all be present (as regexes over normalised
text) and the reason a coordinator reads. `red_flags.py` decides whether each mention is current,
affirmed and real (not negated, imagined or past). Add a rule here; the matcher needs no change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


def near(left: str, right: str, words: int = 4) -> str:
    """`left` followed by `right` within a few words, in that order."""
    return rf"(?:{left})(?:\W+[\w']+){{0,{words}}}?\W+(?:{right})"


def either_order(a: str, b: str, words: int = 4) -> str:
    return rf"{near(a, b, words)}|{near(b, a, words)}"


@dataclass(frozen=True)
class Concept:
    name: str
    pattern: str
    # A context ("has a shunt", "had surgery") may lie in the past; a symptom must be happening now.
    context: bool = False

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.pattern)


@dataclass(frozen=True)
class Rule:
    code: str
    reason: str
    concepts: tuple[Concept, ...]
    same_sentence: bool = False  # all concepts within one sentence
    needs_acute: bool = False  # a now/today/hours-ago cue somewhere in the message
    positional_is_benign: bool = False  # "when I raise my arms..." describes a pattern, not an event
    unless: str | None = None  # words in a symptom's sentence that make it not an emergency


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# --- shared vocabulary -------------------------------------------------------------------------
# Suddenness itself: a headache that began an hour ago is common, one that struck like a blow is
# the warning sign of a bleed.
THUNDER = (
    r"\bsudden(?:ly)?\b|\ball of a sudden\b|\bout of (?:nowhere|the blue)\b|\bexplo\w+|\bthunderclap\b|"
    r"\blike (?:a|an|being) (?:\w+ )?(?:bomb|gunshot|explosion|hit|struck|kicked|bat|hammer)\b|"
    r"\bwithin seconds\b|\bin (?:a|an) (?:second|instant)\b"
)
# Suddenness or an onset minutes to hours ago: enough for weakness or speech loss to count as new.
SUDDEN = (
    THUNDER
    + r"|\bjust now\b|\b(?:\d+|a|an|one|two|few|a few|half an|twenty|thirty|ten) (?:minutes?|mins?|hours?|hrs?) ago\b|"
    r"\b(?:in|over) the (?:past|last) (?:\w+ )?(?:hour|hours|minutes)\b"
)
HEADACHE = r"\bhead ?aches?\b|\bhead (?:pain|hurts?|is pounding)\b|\bpain in (?:my|her|his|the) head\b|\b(?:back|side|top) of (?:my|her|his|the) head\b"
ARM = r"\b(?:arm|arms|hand|hands|fingers?|forearm|wrist)\b"
LIMB = r"\b(?:arm|leg|hand|foot|side)\b"
ONE_SIDE = r"\b(?:left|right|one)\b"

BACK = Concept(
    "back trouble",
    r"\bback\b|\bsciatica\b|\bsciatic\b|\bdisc\b|\bdisk\b|\bspin(?:e|al)\b|\blumbar\b(?! (?:drain|puncture|tap))|\bl[1-5]\b|\bs1\b|"
    r"\bherniat\w*|\bstenosis\b|\bslipped\b|\blegs?\b|\bbuttocks?\b",
    context=True,
)
SHUNT = Concept("shunt", r"\bshunt\w*|\bvp\b|\bventriculo\w*|\betv\b", context=True)
RECENT_SURGERY = Concept(
    "recent operation",
    r"\b(?:incision|wound|stitches|sutures|staples|post-?op\w*)\b|"
    r"\b(?:after|since|following) (?:my |his |her |the |their )?(?:\w+ ){0,3}?(?:surgery|operation|op|fusion|"
    r"laminectomy|discectomy|microdiscectomy|craniotomy|resection|procedure|acdf|shunt|kyphoplasty|decompression)\b|"
    r"\b(?:surgery|operation|op|fusion|laminectomy|discectomy|microdiscectomy|craniotomy|resection|procedure|"
    r"acdf|kyphoplasty|decompression)\b(?:\W+\w+){0,3}?\W+(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|few|a few)"
    r" (?:days?|weeks?) ago\b|\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|few) (?:days?|weeks?) "
    r"(?:after|since|out from|post)\b|\bhad (?:a |an |my |his |her )?(?:\w+ ){0,3}?(?:surgery|operation|fusion|"
    r"laminectomy|discectomy|craniotomy|resection|acdf)\b",
    context=True,
)
HEAD_INJURY = Concept(
    "head injury",
    r"\b(?:hit|bumped|banged|knocked|struck|smacked|cracked) (?:\w+ )?(?:his|her|my|their|the|its) head\b|"
    r"\bhead (?:injury|trauma|knock|bump)\b|\bconcussion\b|\bknocked (?:out|unconscious)\b|"
    r"\bfell (?:\w+ ){0,4}?(?:head|face)\b|\bfall\b|\bfell\b",
    context=True,
)

RULES: tuple[Rule, ...] = (
    Rule(
        "cauda_equina",
        "cauda equina: numbness in the saddle area (between the legs, buttocks or genitals)",
        (
            Concept(
                "saddle numbness",
                either_order(
                    r"\bnumb\w*|\bno feeling\b|\bpins and needles\b|\btingl\w+|\bdead\b",
                    r"\bbetween (?:my|the|his|her|your) (?:legs|thighs)\b|\bsaddle\b|\bgroin\b|\bgenital\w*|"
                    r"\bprivate (?:parts|area)\b|\bprivates\b|\bbottom\b(?! of)|\bbuttocks\b|\bbum\b|\bbackside\b|"
                    r"\binner thighs?\b|\binside of (?:my|his|her) (?:thighs|legs)\b|\bperine\w*|\bdown there\b|\banus\b|\bback passage\b|\bvagina\w*|\bpenis\b|\bscrotum\b",
                )
                + r"|\bsaddle (?:an(?:a)?esthesia|numbness)\b|\bcan't feel (?:\w+ ){0,3}?(?:when i wipe|the (?:toilet )?paper|"
                r"(?:my|her|his) (?:bottom|bum|private\w*|genitals|backside))\b",
            ),
        ),
    ),
    Rule(
        "cauda_equina",
        "cauda equina: new bladder or bowel problem (incontinence or retention) with back pain or sciatica",
        (
            Concept(
                "bladder or bowel control",
                r"\bwet (?:myself|himself|herself)\b|\b(?:peed|pee'd|wee'd|soiled|pooped) (?:myself|himself|herself)\b|"
                r"\b(?:lost|losing|lose|loss of|no) control (?:of|over) (?:my |his |her )?(?:bladder|bowels?|pee|urine|wee)\b|"
                r"\b(?:can't|trouble|difficulty|problems?|struggling) (?:control\w*|hold\w*|empty\w*) (?:my |his |her )?"
                r"(?:bladder|bowels?|pee|urine|wee|poo)\b|"
                r"\b(?:can't|unable to|haven't been able to|couldn't|not able to) (?:pee|urinate|wee|pass urine|pass water|"
                r"empty (?:my|his|her) bladder)\b|\bhaven't (?:peed|urinated|passed urine)\b|"
                r"\b(?:urinary|bladder|bowel|faecal|fecal|stool) (?:incontinence|retention|leakage)\b|\bincontinen\w+|"
                r"\bleak\w* (?:urine|pee|stool)\b|\b(?:bladder|bowel) (?:problems?|issues?|trouble|accidents?)\b|"
                r"\bno (?:urge|sensation|feeling) (?:to|when i) (?:pee|urinate|go)\b|\burinary retention\b|"
                r"\bcan't feel (?:when|if) i (?:need to )?(?:pee|wee|go|urinate)\b|\bwithout feeling it coming\b",
            ),
            BACK,
        ),
        # Incontinence that crept in over months (e.g. normal pressure hydrocephalus) is not cauda equina.
        unless=r"\bover the (?:past|last) (?:few )?(?:year|months|years)\b|\bfor (?:months|years)\b|\bgradually\b|\bslowly\b",
    ),
    Rule(
        "thunderclap_headache",
        "thunderclap headache: sudden, worst-ever headache (possible bleed in the brain)",
        (
            Concept(
                "worst-ever headache",
                r"\bworst (?:head ?ache|head pain|pain)\b(?:\W+\w+){0,2}?\W+(?:of (?:my|her|his) (?:\w+ )?life|"
                r"(?:i've|i have|she's|she has|he's|he has|they've|i've ever|ever) (?:ever )?(?:had|felt|experienced))|"
                r"\bworst (?:head ?ache|head pain) ever\b|\bthunderclap\b",
            ),
        ),
    ),
    Rule(
        "thunderclap_headache",
        "thunderclap headache: sudden, worst-ever headache (possible bleed in the brain)",
        (
            Concept("headache", HEADACHE),
            Concept("sudden onset", THUNDER),
        ),
        same_sentence=True,
        positional_is_benign=True,
    ),
    Rule(
        "stroke",
        "stroke signs: face drooping",
        (
            Concept(
                "face droop",
                either_order(r"\b(?:face|mouth|smile|lip|cheek)\b", r"\bdroop\w*|\bsag\w*|\blopsided\b|\bcrooked\b|\bfallen\b|\bdropp\w+", 3)
                + r"|\bfacial droop\b|\bone side of (?:my|his|her) face (?:\w+ )?(?:numb|droop\w*|drop\w*|weak|fallen)\b",
            ),
        ),
    ),
    Rule(
        "stroke",
        "stroke signs: sudden slurred or lost speech",
        (
            Concept(
                "speech",
                r"\bslurr\w+|\b(?:speech|words?|talking) (?:\w+ ){0,3}?(?:slurred|garbled|jumbled|muddled|nonsense|wrong|"
                r"mixed up|isn't right|not right|strange)\b|\b(?:can't|unable to|couldn't|cannot) (?:speak|talk|get (?:his|her|my) words out)\b|"
                r"\blost (?:his|her|my|the ability to) (?:speech|speak)\b|\bnot making sense\b|\bdoesn't make sense\b",
            ),
            Concept("sudden onset", SUDDEN + r"|\btoday\b|\bthis (?:morning|afternoon|evening)\b|\btonight\b|\bjust\b|\bstarted\b"),
        ),
    ),
    Rule(
        "stroke",
        "stroke signs: sudden weakness of one side, arm or leg",
        (
            Concept(
                "one-sided weakness",
                near(ONE_SIDE, LIMB, 2)
                + r"(?:\W+\w+){0,5}?\W+(?:weak\w*|limp|paraly\w+|heavy and useless|won't move|can't move|gave way|floppy)\b|"
                + near(r"\b(?:his|her|my)\b", LIMB, 0)
                + r"(?:\W+\w+){0,3}?\W+(?:limp|paraly\w+|floppy|won't move|can't move)\b|"
                r"\b(?:can't|couldn't|unable to) (?:lift|move|raise|use) (?:his|her|my) (?:left|right) (?:arm|leg|hand|side)\b|"
                r"\bweak(?:ness)? (?:on|down) (?:one|the (?:left|right)|(?:his|her|my) (?:left|right)) side\b",
            ),
            Concept("sudden onset", SUDDEN),
        ),
        positional_is_benign=True,
    ),
    Rule(
        "stroke",
        "stroke signs: someone is having a stroke now",
        (Concept("stroke now", r"\b(?:is|am|are|be|been|i'm|he's|she's) having (?:a |another )?stroke\b"),),
    ),
    Rule(
        "new_seizure",
        "new seizure: a fit or convulsion that has just happened",
        (
            Concept(
                "seizure",
                r"\bseizures?\b|\bseizing\b|\bconvuls\w+|\b(?:had|having|has|have) (?:a |another |an? \w+ )?fits?\b|"
                r"\bfitting\b|\bshaking and jerking\b|\bjerking (?:\w+ ){0,3}?(?:arms|legs|body|all over)\b|"
                r"\bepileptic (?:fit|attack)\b|\bblack(?:ed)? out and (?:was |started )?(?:shaking|jerking)\b",
            ),
        ),
        needs_acute=True,
        unless=r"\b(?:usual|typical|normal|as always|like always|breakthrough)\b",
    ),
    Rule(
        "postoperative_infection",
        "post-operative infection: fever or a red, hot or discharging wound after surgery",
        (
            RECENT_SURGERY,
            Concept(
                "fever or wound infection",
                r"\bfever\w*|\bfebrile\b|\b(?:temp|temperature) (?:of |is |was |at )?(?:3[89]|4[01]|10[0-5])\b|"
                r"\bhigh (?:temp|temperature)\b|\bchills\b|\brigors\b|\bshivering\b|\bpus\b|\bpurulent\b|"
                + near(
                    r"\b(?:incision|wound|scar|cut|stitches|staples|dressing)\b",
                    r"\bleak\w*|\booz\w*|\bdrain\w*|\bdischarg\w*|\bweep\w*|\bred\b|\bredness\b|\bhot\b|\bopen\w*|\bsplit\b|"
                    r"\bsmell\w*|\bstink\w*|\bgaping\b|\byellow\w*|\bgreen\w*|\binfect\w*|\bswollen\b|\bangry\b",
                    6,
                ),
            ),
        ),
    ),
    Rule(
        "postoperative_airway",
        "after surgery: trouble breathing or swallowing, or a swelling neck (possible bleed pressing on the airway)",
        (
            RECENT_SURGERY,
            Concept(
                "airway",
                r"\b(?:can't|unable to|struggling to|hard to) (?:swallow|breathe|catch (?:my|his|her) breath)\b|"
                r"\b(?:trouble|difficulty) breathing\b|\bneck (?:\w+ )?(?:is |keeps )?(?:swelling|swollen|ballooning)\b",
            ),
        ),
    ),
    Rule(
        "vascular_tos",
        "vascular TOS: a cold, pale, blue or pulseless arm or hand (possible blocked artery or clot)",
        (
            Concept(
                "arm colour or pulse",
                either_order(
                    ARM,
                    r"\bblue\w*|\bpurple\w*|\bdusky\b|\bmottled\b|\bwhite\b|\bpale\b|\bcold\b|\bicy\b|\bgr[ae]y\b|\bdark\b",
                    6,
                )
                + r"|\b(?:can't|cannot|couldn't) (?:feel|find) (?:a |the |any |my |his |her )?pulse\b|\bno pulse\b|\blost the pulse\b|"
                r"\bveins? (?:\w+ ){0,2}?(?:standing out|bulging|popping)\b",
            ),
        ),
        same_sentence=True,
        positional_is_benign=True,
        unless=r"\braynaud\w*|\bwinter\b|\bin the cold\b|\b(?:have|had|got|caught) a (?:bad |heavy )?cold\b",
    ),
    Rule(
        "vascular_tos",
        "vascular TOS: sudden swelling of an arm (possible clot, Paget-Schroetter)",
        (
            Concept("arm swelling", either_order(ARM, r"\bswell\w*|\bswollen\b|\bpuff\w*|\bballoon\w*|\btight and heavy\b", 4)),
            Concept("sudden onset", SUDDEN + r"|\btoday\b|\bthis (?:morning|afternoon|evening)\b|\btonight\b|\bovernight\b|\bsince (?:yesterday|last night)\b"),
        ),
        same_sentence=True,
        positional_is_benign=True,
    ),
    Rule(
        "shunt_failure",
        "shunt failure: vomiting, drowsiness or a worsening headache in someone with a shunt",
        (
            SHUNT,
            Concept(
                "raised pressure",
                r"\bvomit\w*|\bthrow\w* up\b|\bthrew up\b|\bthrown up\b|\bbeing sick\b|\bbeen sick\b|\bkeeps? being sick\b|"
                r"\bdrows\w+|\bsleepy\b|\bhard to (?:wake|rouse)\b|\b(?:won't|can't|didn't|couldn't) wake\b|\bfalling asleep\b|"
                r"\blethargic\b|\bfloppy\b|\bunresponsive\b|\bsunset\w* eyes\b|\bbulging (?:soft spot|fontanel\w*)\b|"
                + near(r"\bhead ?aches?\b|\bhead\b", r"\bworse\w*|\bsevere\b|\bunbearable\b|\bterrible\b|\bsplitting\b", 4),
            ),
        ),
    ),
    Rule(
        "progressive_weakness",
        "rapidly progressive weakness: getting weaker over hours or days",
        (
            Concept(
                "weakness getting worse",
                r"\bweaker\b|\b(?:getting|got|gotten|become|becoming|grown|growing|going|gone) (?:\w+ ){0,2}?weak\b|"
                r"\bweakness (?:\w+ ){0,3}?(?:spreading|worse|worsening|progressing)\b",
            ),
        ),
        needs_acute=True,
    ),
    Rule(
        "progressive_weakness",
        "rapidly progressive weakness: new loss of strength in the legs or arms",
        (
            Concept(
                "loss of function",
                r"\b(?:can't|can barely|can hardly|no longer able to|unable to|couldn't) (?:\w+ ){0,1}?(?:lift|move|stand|walk|raise)\b|"
                r"\bfoot (?:is )?(?:slapp\w+|dragg\w+|flopp\w+|drop)\b|\bslapping the floor\b|\blegs? (?:keeps? |are |is )?"
                r"(?:giving way|buckling|collapsing)\b|\bfell (?:\w+ )?(?:twice|three times|several times|\d+ times)\b|\bparaly\w+|"
                r"\blost (?:the )?use of (?:my|his|her|both) (?:legs?|arms?)\b",
            ),
            Concept(
                "weakness",
                r"\bweak\w*|\bparaly\w+|\bfoot drop\b|\bslapping\b|\bgiving way\b|\bcollaps\w+|\blost (?:the )?use of\b",
            ),
        ),
        needs_acute=True,
    ),
    Rule(
        "head_injury",
        "head injury with confusion, drowsiness or vomiting (possible bleed)",
        (
            HEAD_INJURY,
            Concept(
                "altered consciousness",
                r"\bconfus\w+|\bdisorient\w+|\bnot making sense\b|\bdoesn't (?:know|recogni[sz]e)\b|\bdrows\w+|\bsleepy\b|"
                r"\bsleepier\b|\bhard to (?:wake|rouse)\b|\b(?:won't|can't|didn't) wake\b|\bvomit\w*|\bthrow\w* up\b|\bthrew up\b|"
                r"\bunconscious\b|\bpassed out\b|\bblacked out\b|\bunresponsive\b",
            ),
        ),
    ),
)

# "When I raise my arm..." or "every time I cough" describes a repeatable pattern, not a new event.
# Present-simple verbs ("my hand gets cold", "it goes away") say the same.
HABITUAL = re.compile(
    r"\bwhen(?:ever)? (?:i|he|she|my|his|her|they)\b|\bevery time\b|\beach time\b|\balways\b|\busually\b|\boften\b|"
    r"\bsometimes\b|\bafter hours of\b|\bfor hours\b|\bbuilds? up\b|\bslowly\b|\bby the end of\b|\bat night\b|"
    r"\b(?:gets|goes|go|turns|swells|settles|settle|wears off)\b|\bgoes away\b"
)
