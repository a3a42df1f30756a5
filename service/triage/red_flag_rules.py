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


def within_clause(a: str, b: str, words: int = 4) -> str:
    """`a` and `b` in either order, a few words apart, with no comma or full stop between them:
    "pain in my butt and down my leg, numb toes" is two complaints, not a numb bottom."""
    gap = rf"(?:[^\w,;.]+[\w']+){{0,{words}}}?[^\w,;.]+"
    return rf"(?:{a}){gap}(?:{b})|(?:{b}){gap}(?:{a})"


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
    # After surgery: only in the first days and weeks, not when the message dates the operation months back.
    postoperative: bool = False
    # What is left over from an old event ("still have numbness since my operation in 2019") is chronic.
    # Off where any recurrence is dangerous whatever the history (a shunt, a head injury).
    residual_can_be_chronic: bool = True
    acute_also: str | None = None  # extra recency cues that count for needs_acute (e.g. "worse every day")
    # Message-level words that make the complaint a long-standing one unless the message has a recency cue.
    chronic_unless: str | None = None
    chronic_overridden_by: str | None = None  # ...unless these words say this episode is new ("sudden")


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# --- shared vocabulary -------------------------------------------------------------------------
# Suddenness itself: a headache that began an hour ago is common, one that struck like a blow is
# the warning sign of a bleed.
THUNDER = (
    r"\bsudden(?:ly)?\b|\ball of a sudden\b|\bout of (?:nowhere|the blue)\b|\bexplo\w+|\bthunderclap\b|"
    r"\blike (?:a|an|being) (?:\w+ )?(?:bomb|gunshot|explosion|hit|struck|kicked|bat|hammer)\b|"
    r"\bwithin (?:\w+ )?seconds\b|\bin (?:a|an) (?:second|instant|flash)\b|\bin (?:a few|\d+|two|three|a couple of) seconds\b|"
    r"\bfrom (?:nothing|zero|0) to\b|\bworst (?:pain|headache|head pain) (?:\w+ )?ever\b|"
    # Lay words for the blow of a bleed: "like someone hit me", "something popped", "she collapsed".
    r"\blike (?:someone|somebody|something) (?:had )?(?:\w+ )?(?:hit|struck|kicked|smashed|punched|whacked|clubbed|shot)\b|"
    r"\blike (?:i'd|i had|she'd|she had|he'd|he had|i was|she was|he was) (?:been )?(?:hit|struck|shot|kicked|punched|whacked)\b|"
    r"\bsomething (?:popped|snapped|burst)\b|\b(?:popped|snapped|burst) (?:in|inside) (?:my|his|her) head\b|"
    r"\bcollaps\w+|\b(?:dropped|fell|sank|slumped) (?:down )?(?:to|on|onto) the (?:floor|ground)\b|\bkeeled over\b|\bfrom nowhere\b|\bno warning\b"
)
# Suddenness or an onset minutes to hours ago: enough for weakness or speech loss to count as new.
SUDDEN = (
    THUNDER
    + r"|\bjust now\b|\b(?:\d+|a|an|one|two|few|a few|half an|twenty|thirty|ten) (?:minutes?|mins?|hours?|hrs?) ago\b|"
    r"\b(?:in|over) the (?:past|last) (?:\w+ )?(?:hour|hours|minutes)\b"
)
HEADACHE = (
    r"\bhead ?aches?\b|\bhead (?:pain|hurts?|is pounding)\b|\bpain in (?:my|her|his|the) head\b|"
    r"\b(?:back|side|top) of (?:my|her|his|the) head\b|\bmigraine\b|"
    r"\b(?:holding|clutching|clutched|grabbed|grabbing|gripping|gripped|clasping|clasped|held) (?:\w+ )?(?:his|her|my|their) head\b|"
    r"\bhead (?:\w+ ){0,3}?(?:exploded|exploding|burst|bursting|split open|going to explode|blew up)\b"
)
ARM = r"\b(?:arm|arms|hand|hands|fingers?|forearm|wrist)\b"
LIMB = r"\b(?:arm|leg|hand|foot|side)\b"
ONE_SIDE = r"\b(?:left|right|one)\b"

BACK = Concept(
    "back trouble",
    r"\bback\b|\bback ?ache\w*|\bbackpain\b|\bsciatica\b|\bsciatic\b|\bdisc\b|\bdisk\b|\bspin(?:e|al)\b|\blumbar\b(?! (?:drain|puncture|tap))|\bl[1-5]\b|\bs1\b|"
    r"\bherniat\w*|\bstenosis\b|\bslipped\b|\blegs?\b|\bbuttocks?\b|\bhips?\b|\b(?:micro)?discectomy\b|\blaminectomy\b|"
    r"\bfusion\b|\bdecompression\b|\bbum\b|\bbottom\b|\bgroin\b|\bsaddle\b|\bnumb\w*",
    context=True,
)
SHUNT = Concept("shunt", r"\bshunt\w*|\bvp\b|\bventriculo\w*|\betv\b", context=True)
RECENT_SURGERY = Concept(
    "recent operation",
    r"\b(?:incision|wound|stitches|sutures|staples|post-?op\w*|drain|dressing)\b|\b(?:discharged|sent home|came home|home from hospital)\b|"
    r"\b(?:surgery|operation|op|operated on|fusion|acdf|resection|procedure)\b(?:\W+\w+){0,4}?\W+(?:yesterday|last night|"
    r"this morning|last week|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b|"
    r"\b(?:after|since|following) (?:my |his |her |the |their )?(?:\w+ ){0,3}?(?:surgery|operation|op|fusion|"
    r"laminectomy|discectomy|microdiscectomy|craniotomy|resection|procedure|acdf|shunt|kyphoplasty|decompression|scalenectomy|"
    r"rib (?:removal|resection)|rib (?:was |being )?(?:removed|taken out))\b|"
    r"\b(?:surgery|operation|op|fusion|laminectomy|discectomy|microdiscectomy|craniotomy|resection|procedure|"
    r"acdf|kyphoplasty|decompression|scalenectomy|removed|taken out)\b(?:\W+\w+){0,4}?\W+(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|few|a few)"
    r" (?:days?|weeks?) (?:ago|before|back)\b|\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|few) (?:days?|weeks?) "
    r"(?:after|since|out from|post|out of)\b|\bhad (?:a |an |my |his |her )?(?:\w+ ){0,3}?(?:surgery|operation|op|fusion|"
    r"laminectomy|discectomy|craniotomy|resection|acdf|scalenectomy|decompression)\b|\bday (?:\d+|one|two|three|four|five) post\b",
    context=True,
)
HEAD_INJURY = Concept(
    "head injury",
    r"\b(?:hit|bumped|banged|knocked|struck|smacked|cracked) (?:\w+ )?(?:his|her|my|their|the|its) head\b|"
    r"\bhead (?:injury|trauma|knock|bump)\b|\bconcussion\b|\bknocked (?:out|unconscious)\b|"
    r"\b(?:knock|blow|bang|bump|hit|kick|whack|smack|thump|clash)(?:ed)? (?:to|on|in) (?:the|his|her|my|their|its) head\b|"
    r"\bfell (?:\w+ ){0,4}?(?:head|face)\b|\bfall\b|\bfell\b",
    context=True,
)

# Numbness in the words of patients, carers and non-native speakers ("feels like sleeping").
NUMB = (
    r"\bnumb\w*|\b(?:no|without) (?:any )?(?:feeling|sensation)\b|\blost (?:the |all )?(?:feeling|sensation)\b|\bpins and needles\b|\btingl\w+|"
    r"\bdead\b|\basleep\b|\bsleep(?:ing|y)\b|\bfrozen\b|\brubbery\b|\bwoolly\b|\bcotton wool\b|\bnot there\b|"
    r"\b(?:can't|cannot|don't|doesn't|can hardly|can barely) feel\b|\bfeel\w* (?:strange|weird|funny|odd|different)\b"
)
# The saddle area, from clinical to coy.
SADDLE = (
    r"\bbetween (?:my|the|his|her|your) (?:legs|thighs)\b|\bsaddle\b|\bgroin\b|\bgenital\w*|\bcrotch\b|"
    r"\bprivate (?:parts?|area|bits)\b|\bprivates\b|\bintimate (?:area|parts)\b|\bnether regions\b|\b(?:my|his|her) bits\b|"
    r"\bdown below\b|\bdown there\b|\bbottom\b(?! of)|\bbuttocks?\b|\bbum\b|\bbackside\b|\bbutt\b|\bback passage\b|"
    r"\binner thighs?\b|\binside of (?:my|his|her) (?:thighs|legs)\b|\bperine\w*|\banus\b|\banal\b|\brectum\b|"
    r"\bvagina\w*|\bvulva\b|\blabia\b|\bpenis\b|\bscrotum\b|\btesticles?\b|\bwhere (?:i|you|he|she) sits?\b"
)
_WATER = r"(?:urine|the urine|water|the water|pee|a pee|wee|a wee|wee-wee|piss|number one|urinate|pass urine|pass water|void)"
_TOILET = r"(?:toilet|the toilet|the loo|loo|the bathroom|bathroom|restroom)"
_ME = r"(?:myself|himself|herself|themselves|the bed|my pants|his pants|her pants|my trousers|his trousers|her trousers|my knickers)"
# Bladder or bowel control, in the many ways people say it (and carers report it).
BLADDER_BOWEL = (
    # Retention told as an absence: "he hasn't passed any urine since lunchtime".
    r"\b(?:hasn't|haven't|has not|have not|hadn't|had not|not) (?:passed|done|had|managed) (?:any |a )?(?:urine|wee|pee|water)\b|"
    rf"\b(?:wet|peed|pee'd|weed|wee'd|pissed|soiled|messed|pooed|pooped|dirtied|poo'd) {_ME}\b|"
    r"\b(?:lost|losing|lose|loss of|no|lack of|without) control (?:of|over) (?:my |his |her |the |their )?"
    r"(?:bladder|bowels?|pee|urine|wee|water|toilet|poo|stool|bum|bottom|back passage)\b|"
    r"\b(?:can't|cannot|couldn't|can't properly|trouble|difficulty|problems?|struggl\w+|unable to|not able to) "
    r"(?:to )?(?:control\w*|hold\w*|stop\w*|empty\w*) (?:in )?(?:my |his |her |the )?(?:bladder|bowels?|pee|urine|wee|water|poo|stool)\b|"
    rf"\b(?:can't|cannot|couldn't|unable to|haven't been able to|hasn't been able to|not able to|struggl\w+ to|trouble|difficulty|"
    rf"can't seem to|nothing comes out when (?:i|he|she) (?:try|tries) to) (?:make |making |pass |passing |do |doing |have |go |going )?"
    rf"(?:{_WATER}|a wee|a pee|to {_TOILET}|for a (?:wee|pee)|empty (?:my|his|her|the) bladder|go for a (?:wee|pee))\b|"
    rf"\b(?:haven't|hasn't|didn't|not) (?:peed|weed|urinated|passed (?:urine|water)|made (?:urine|water)|been (?:to the toilet|for a wee)) "
    r"(?:\w+ ){0,3}?(?:since|for|all|today|yesterday|in)\b|\bno (?:urine|pee|wee) (?:is )?(?:coming|comes|came)\b|"
    r"\b(?:urine|pee|wee|water|poo|stool) (?:just )?(?:comes out|came out|leaks?|leaked|leaking|dribbl\w+) (?:\w+ ){0,3}?"
    r"(?:without|on its own|by itself|and i (?:can't|couldn't|didn't)|before)\b|"
    r"\b(?:urinary|bladder|bowel|faecal|fecal|stool) (?:incontinence|retention|leakage|accidents?)\b|\bincontinen\w+|\bretention\b|"
    r"\bleak\w* (?:urine|pee|wee|stool|poo)\b|\b(?:bladder|bowel|toilet|pee|wee|water(?:works)?) (?:problems?|issues?|trouble|accidents?)\b|"
    r"\b(?:had|having|have) (?:an |a few |two |some )?accidents? (?:in|with) (?:my|his|her|the) (?:pants|trousers|bladder|bowels?|bed)\b|"
    rf"\b(?:no|lost the|lost|without the) (?:urge|sensation|feeling) (?:to|when (?:i|he|she)|that (?:i|he|she)) (?:need to |have to )?(?:pee|urinate|wee|go|poo)\b|"
    r"\b(?:can't|cannot|don't|doesn't|didn't|couldn't) (?:feel|tell|know|notice|realise|realize) (?:when|if|that) (?:i|he|she) "
    r"(?:need to |needs to |have to |has to |am |is |was |'m )?(?:pee|wee|go|urinate|poo|passing|peeing|weeing|wetting)\b|"
    r"\bwithout (?:feeling|noticing|knowing) (?:it|it coming)\b|\b(?:doesn't|don't|won't|can't|isn't|does not) (?:\w+ )?(?:empty|emptying) (?:properly|fully|completely|at all|right)\b|"
    r"\b(?:have|has|had) to (?:push|strain) (?:\w+ ){0,2}?(?:to (?:pee|wee|go|urinate|empty)|for (?:the|my|his|her) (?:urine|pee|wee))\b|\bbladder (?:feels )?(?:full|bursting) (?:but|and) "
    r"(?:nothing|can't|cannot|won't)\b"
)

# Breathing trouble and a swelling neck, as patients and carers put it.
BREATHING = (
    r"\b(?:can't|cannot|couldn't|unable to|struggling to|struggle to|hard to|harder to|difficult to|difficulty|trouble|"
    r"problems?|painful to|hurts to|fighting to) (?:\w+ ){0,2}?(?:breath\w*|catch (?:my|his|her) breath|"
    r"get (?:a |my |his |her |enough )?(?:full |proper |deep |good )?breath|get (?:enough )?air)\b|"
    r"\bshort(?:ness)? of breath\b|\bbreathless\w*|\bout of breath\b|\bgasping\b|\bwheez\w*|\bstridor\b|"
    r"\b(?:noisy|rattly|rattling|whistling|laboured|labored|shallow|fast) breath\w*|\bpanting\b|\bchoking\b|\bsuffocat\w+|"
    r"\bbreath\w* (?:\w+ ){0,2}?(?:tight|tighter|hard|harder|difficult|laboured|labored|shallow|rattly|noisy|short|fast|painful)\b|"
    r"\b(?:not enough|no) air\b|\blips? (?:\w+ )?(?:blue|grey|gray)\b"
)
SWALLOWING = (
    r"\b(?:can't|cannot|couldn't|unable to|struggling to|struggle to|hard to|harder to|difficult to|difficulty|trouble|"
    r"problems?|painful to|hurts to) (?:\w+ ){0,2}?swallow\w*|\bswallow\w* (?:\w+ ){0,3}?(?:hard|harder|difficult|impossible|worse)\b|"
    r"\bchok\w+ on (?:\w+ )?(?:spit|saliva|water|food|drinks?)\b|\bdrooling\b"
)
NECK_SWELLING = (
    r"\b(?:neck|throat)\b(?:\W+[\w']+){0,5}?\W+(?:swell\w*|swollen|puff\w*|balloon\w*|bigger|bulg\w*|fatter|tight\w*)\b|"
    # Not "a lump in my throat": that globus feeling is common and harmless after neck surgery.
    r"\b(?:swelling|bulge|puffiness) (?:\w+ ){0,3}?(?:neck|throat)\b"
)
AIRWAY = BREATHING + "|" + SWALLOWING + "|" + NECK_SWELLING
CHEST_PAIN = (
    r"\bchest (?:pain|hurts|is tight|tightness|feels tight)\b|\bpain (?:\w+ ){0,2}?(?:in|across) (?:my|his|her|the) chest\b|"
    r"\b(?:pain|hurts|sharp|stabbing|catch\w*) (?:\w+ ){0,4}?(?:when|as|if) (?:i|he|she) (?:breathe|take a (?:deep )?breath|breath)\b|"
    r"\b(?:painful|hurts) to breathe\b|\bcough\w* (?:up )?blood\b"
)
# Thoracic outlet operations that can puncture the lung.
TOS_SURGERY = Concept(
    "thoracic outlet operation",
    r"\b(?:first |top |cervical |extra )?rib\b|\bthoracic outlet\b|\btos\b|\bscalen\w*|\bsupraclavicular\b|\btransaxillary\b|"
    r"\bcollar ?bone\b|\bclavic\w+|\bpectoralis minor\b",
    context=True,
)
# Known cancer: a new leg problem may be the cord being squeezed by a spread to the spine.
CANCER = Concept(
    "cancer",
    r"\bcancers?\b|\bmetasta\w+|\bmets\b|\bsecondar(?:y|ies)\b|\bmyeloma\b|\blymphoma\b|\bcarcinoma\b|\bmelanoma\b|"
    r"\bmalignan\w+|\boncolog\w+|\bchemo\w*|\bradiotherapy\b|\b(?:tumou?r|cancer) (?:has )?spread\w*|"
    r"\bspread to (?:my|his|her|the) (?:bones?|spine|back)\b",
    context=True,
)
LEGS_FAILING = (
    r"\b(?:legs?|feet|foot)\b(?:\W+[\w']+){0,4}?\W+(?:heavy|heavier|weak\w*|numb\w*|wobbly|jelly|unsteady|giving way|give way|"
    r"gave way|buckl\w+|won't hold|don't work|not working|useless|dead|like lead|tingl\w+|pins and needles)\b|"
    r"\b(?:heavy|heaviness|weak\w*|numb\w*|wobbly|jelly|unsteady|tingl\w+) (?:in |of )?(?:both |my |his |her )?(?:legs?|feet)\b|"
    r"\bstumbl\w+|\btripping\b|\bcatching (?:my|his|her) (?:feet|toes)\b|\bunsteady\b|\b(?:can't|cannot|can barely|can hardly|"
    r"hard to|struggling to|unable to) (?:\w+ )?(?:walk|stand)\b|\bwalking (?:is )?(?:getting )?(?:worse|harder|unsteady|wobbly|funny)\b|"
    r"\bfalling over\b|\bband (?:of |like )?(?:\w+ )?(?:around|round) (?:my|his|her) (?:chest|body|tummy|waist|middle)\b"
)
STIFF_NECK = (
    r"\bstiff (?:\w+ )?neck\b|\bneck (?:\w+ ){0,2}?(?:stiff|rigid)\b|\b(?:can't|cannot|couldn't) (?:bend|move|touch) "
    r"(?:\w+ ){0,2}?(?:neck|chin to (?:my|his|her) chest)\b|\blight (?:hurts|is hurting|bothers)\b|\bphotophob\w+"
)

# A leak of brain fluid after an operation that opened the dura: clear, watery, salty, worse bending forward.
CSF_SURGERY = Concept(
    "operation near the brain's fluid",
    RECENT_SURGERY.pattern + r"|\bdura\w*|\bdural\b|\bpituitary\b|\btrans-?sphenoidal\b|\bendonasal\b|\bskull base\b|"
    r"\b(?:operation|surgery|op|procedure|tumou?r removed|went in) (?:\w+ ){0,3}?(?:through|via|up) (?:my|the|his|her) nose\b",
    context=True,
)
_CLEAR = r"(?:clear|watery|thin|colou?rless|straw[- ]colou?red|like (?:tap |plain )?water|water-like|see-through|pinkish clear)"
_NOSE_DRIP = (
    r"\b(?:nose|nostrils?)\b(?:\W+[\w']+){0,4}?\W+(?:drip\w*|run\w*|leak\w*|pour\w*|stream\w*|trickl\w*|won't stop|keeps? running)\b|"
    r"\b(?:drip\w*|runn\w*|run|runs|leak\w*|pour\w*|trickl\w*|stream\w*|coming|comes|came|drops?) (?:\w+ ){0,3}?(?:from|out of|down) (?:my|his|her|one|the|each) (?:nose|nostrils?)\b|"
    r"\b(?:drip\w*|trickl\w*|running|runs) (?:\w+ ){0,2}?down (?:the back of )?(?:my|his|her) throat\b|\brunny nose\b|\bpost-?nasal drip\b"
)
_WOUND_WET = (
    r"\b(?:dressing|bandage|plaster|pad|wound|incision|scar|cut|stitches|pillow|sheets?|bed|top|shirt|back)\b(?:\W+[\w']+){0,5}?\W+"
    r"(?:soak\w*|drench\w*|wet|sodden|drip\w*|leak\w*|seep\w*|weep\w*|ooz\w*|pour\w*|running)\b|"
    r"\b(?:wet|damp|soaked|sodden|soggy)\b(?: \w+){0,2}? (?:on|through|in|under) (?:my|his|her|the) (?:dressing|bandage|plaster|wound|incision|pad)\b|"
    r"\b(?:soak\w*|drench\w*|seep\w*|leak\w*|ooz\w*|pour\w*|drip\w*|weep\w*|coming) (?:\w+ ){0,3}?(?:through|out of|from|onto) "
    r"(?:my|his|her|the) (?:\w+ )?(?:dressing|bandage|plaster|wound|incision|scar|pillow|sheets?)\b"
)
CSF_FLUID = (
    either_order(_NOSE_DRIP, _CLEAR + r"|\bsalty\b|\bmetallic\b|\blean\w* (?:\w+ )?(?:forward|over|down)|\bbend\w* (?:\w+ )?(?:forward|over|down)|"
                 r"\btip\w* (?:my|his|her) head\b|\blook\w* down\b|\bhead (?:forward|down)\b|\bone nostril\b|\bone side\b|\bwon't stop\b|\bnon-?stop\b|\bconstant\w*", 10)
    + "|" + either_order(_WOUND_WET, _CLEAR, 8)
    # Lists of adjectives come with commas and hyphens: "clear, salty-tasting fluid".
    + r"|\b" + _CLEAR + r",? (?:[\w-]+,? ){0,3}?(?:fluid|liquid|water|drops?|droplets|discharge|drip\w*|leak\w*|stuff|ooze)\b"
    r"|\b(?:salty|metallic) (?:taste|tasting|drip\w*|liquid|fluid|water)\b|\btast\w* (?:\w+ ){0,2}?(?:of )?(?:salt|salty|metallic)\b|\bcsf\b|\bspinal fluid\b|\bbrain fluid\b"
)
# Seeing: one side of the visual field, one eye, or double, lost from one moment to the next.
VISION_LOSS = (
    r"\b(?:lost|losing|lose|loss of|gone|went|no|missing) (?:\w+ ){0,3}?(?:half|side|left|right|part|corner) (?:\w+ ){0,3}?"
    r"(?:vision|sight|eyesight|visual field|field of vision)\b|"
    r"\b(?:half|one side|left side|right side|left half|right half|part|the left|the right) of (?:my|his|her|the) (?:vision|sight|eyesight|visual field)\b|"
    r"\bhalf (?:of )?(?:my|his|her) (?:vision|sight|eyesight)\b|"
    r"\b(?:lost|losing|lose|loss of|no|lack of) (?:the |my |his |her |all |any )?(?:vision|sight|eyesight) (?:\w+ ){0,2}?(?:on|to|in|of|at|from) "
    r"(?:the |my |his |her |one )?(?:left|right|one|half|side|edge)\b|"
    r"\b(?:can't|cannot|couldn't|unable to|can not|not able to|can hardly|can barely) see (?:\w+ ){0,3}?(?:out of|to|on|from|with) "
    r"(?:the|my|his|her|one) (?:left|right|one|side|eye)\b|"
    r"\b(?:went|gone|going|suddenly|became) blind\b|\bblind in (?:one|my|his|her|the) (?:left |right )?eye\b|"
    r"\b(?:lost|loss of) (?:the )?(?:vision|sight) in (?:one|my|his|her|the) (?:left |right )?eye\b|"
    r"\bcurtain (?:\w+ ){0,3}?(?:over|across|down)\b|\bdouble vision\b|\bseeing double\b|"
    r"\beyes?\b (?:\w+ ){0,2}?(?:went|gone|going|turned) (?:\w+ )?(?:dark|black|blind|blank|grey|gray)\b|"
    r"\b(?:vision|sight|eyesight)\b(?:\W+[\w']+){0,5}?\W+(?:went|gone|disappeared|vanished|black|dark|blank|missing|cut off|blacked out|grey(?:ed)? out)\b|"
    r"\b(?:bumping|walking|walked|bumped) into things on (?:my|his|her|the|one) (?:left|right|side)\b"
)
# Numbness or weakness of one side or one limb, in the words people use for a hand "gone dead".
SIDE_NUMB = (
    near(r"\b(?:left|right|one)\b", r"\b(?:side|half|arm|leg|hand|face|foot)\b", 2)
    + r"(?:\W+[\w']+){0,5}?\W+(?:numb\w*|dead|tingl\w+|no feeling|heavy|weak\w*|limp|useless|gone funny|asleep|clumsy)\b|"
    r"\b(?:my|his|her) (?:hand|arm|face|leg|fingers|foot) (?:has |had |have )?(?:gone|went|is|are|feels|felt|turned|became|suddenly went) "
    r"(?:completely |totally |all |suddenly |very |really )?(?:numb|dead|limp|useless|heavy|weak|clumsy|tingly|floppy)\b|"
    r"\bnumb\w* (?:all )?(?:down|on|up) (?:the |one |my |his |her )?(?:left |right |one )?side\b|"
    r"\bone side of (?:my|his|her|the) (?:body|face)\b(?:\W+[\w']+){0,4}?\W+(?:numb\w*|dead|weak\w*|heavy|tingl\w+|gone)\b"
)
WHOLE_SIDE = (
    r"\bone side of (?:my|his|her|the) (?:body|face)\b|\b(?:left|right|whole|one) side of (?:my|his|her|the) body\b|"
    r"\b(?:left|right) (?:arm and leg|leg and arm|side)\b|\b(?:all|right) down (?:the |one |my |his |her )?(?:left |right |one )?side\b|"
    r"\bhalf (?:of )?(?:my|his|her) (?:body|face)\b|\bface and (?:arm|hand)\b|\b(?:arm|hand) and face\b"
)
# Onset from minutes to the same day: enough to make a one-sided loss a stroke until shown otherwise.
TODAY_ONSET = (
    SUDDEN + r"|\btoday\b|\bthis (?:morning|afternoon|evening)\b|\btonight\b|"
    r"\bsince (?:about |around |roughly |just after |just before )?(?:lunch\w*|breakfast|dinner|tea\w*|this|today|last night|i woke|waking|(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) ?(?:am|pm|o'clock))\b|"
    r"\bat (?:lunch\w*|breakfast|dinner|tea\w*)\b|\bwhen (?:i|he|she) (?:woke|got up) (?:up )?(?:today|this morning)\b"
)
# Getting worse over days: what separates rapidly progressive weakness from a weak leg of long standing.
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|the weekend)"
PROGRESSION = (
    r"\bevery day\b|\beach day\b|\bday by day\b|\bby the day\b|\bdaily\b|\bmore (?:and more )?(?:each|every) day\b|"
    r"\b(?:over|in|during|for) the (?:past|last) (?:few |couple of |two |three |four |five |six |\d+ )?days\b|"
    r"\b(?:\d+|two|three|four|five|six|a few|few|couple of|a couple of) days ago\b|\bthis week\b|"
    rf"\b(?:since|on|last|started|from) (?:the )?{_WEEKDAY}\b|\bmore and more\b|\bworse and worse\b|\bweaker and weaker\b|"
    r"\bfaster\b|\bquickly\b|\brapidly\b|\bin (?:just )?(?:a few|two|three|\d+) days\b|"
    rf"\b(?:till|until|up to|up until) (?:last )?{_WEEKDAY}\b"
)
NOT_PROGRESSING = r"\bimprov\w+|\b(?:getting|much|a (?:lot|bit|little)) (?:better|stronger)\b|\brecover\w*|\bstronger\b|\bhasn't changed\b|\bno change\b"
NEW_EPISODE = r"\bsudden\w*|\bout of (?:nowhere|the blue)\b|\bthunderclap\b|\bexplo\w+|\bthis (?:one|time)\b|\bnew\b|\bdifferent\b|\bcollaps\w+"
CHRONIC_PAIN = (
    r"\bfor (?:\d+|many|several|a few|two|three|four|five|six|seven|eight|nine|ten|twenty) (?:years|months)\b|\bfor years\b|"
    r"\bhasn't changed\b|\bhas not changed\b|\bsame as always\b|\btrigeminal\b|\bneuralgia\b|\bchronic\b|\bevery day for\b|"
    r"\bsince (?:i was|childhood|my teens|(?:19|20)\d\d)\b|\bfor (?:most of )?my (?:adult )?life\b|\ball my life\b|"
    r"\bas long as i can remember\b|\b(?:years|decades) of\b|\bfor (?:years|decades)\b"
)

RULES: tuple[Rule, ...] = (
    Rule(
        "cauda_equina",
        "cauda equina: numbness in the saddle area (between the legs, buttocks or genitals)",
        (
            Concept(
                "saddle numbness",
                within_clause(NUMB, SADDLE) + r"|\bsaddle (?:an(?:a)?esthesia|numbness)\b|"
                r"\b(?:can't|cannot|couldn't|don't|doesn't|didn't) feel (?:\w+ ){0,3}?(?:when (?:i|he|she) wipes?|wiping|the (?:toilet )?paper|"
                r"(?:my|her|his) (?:bottom|bum|private\w*|genitals|backside|bits)|myself (?:wiping|down there))\b",
            ),
        ),
        # Numbness unchanged for years (left over from an old operation) is not a new compression.
        unless=r"\bfor (?:many |several )?(?:months|years)\b|\bin (?:months|years)\b|\bhasn't changed\b|\bfor a long time\b|\bever since\b",
    ),
    Rule(
        "cauda_equina",
        "cauda equina: new bladder or bowel problem (incontinence or retention) with back pain or sciatica",
        (
            Concept("bladder or bowel control", BLADDER_BOWEL),
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
                r"\bworst (?:head ?ache|head pain)\b(?:\W+\w+){0,2}?\W+(?:of (?:my|her|his) (?:\w+ )?life|"
                r"(?:i've|i have|she's|she has|he's|he has|they've|i've ever|ever) (?:ever )?(?:had|felt|experienced))|"
                r"\bworst (?:head ?ache|head pain) ever\b|\bthunderclap\b|"
                r"\bnever (?:had|felt|known|experienced) (?:a |any )?(?:head ?ache|head pain|pain in (?:my|her|his) head) (?:\w+ ){0,2}?like (?:this|it)\b",
            ),
        ),
        chronic_unless=CHRONIC_PAIN,
        chronic_overridden_by=NEW_EPISODE,
    ),
    Rule(
        "thunderclap_headache",
        "thunderclap headache: sudden, worst-ever headache (possible bleed in the brain)",
        (
            # "The worst pain I've ever had" is a headache only when it is in the head (not sciatica, not the face).
            Concept(
                "worst-ever pain",
                r"\bworst pain\b(?:\W+\w+){0,2}?\W+(?:of (?:my|her|his) (?:\w+ )?life|"
                r"(?:i've|i have|she's|she has|he's|he has|they've|i've ever|ever) (?:ever )?(?:had|felt|experienced))",
            ),
            Concept("in the head", HEADACHE + r"|\bhead\b"),
        ),
        chronic_unless=CHRONIC_PAIN,
        chronic_overridden_by=NEW_EPISODE,
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
        chronic_unless=CHRONIC_PAIN,
        chronic_overridden_by=NEW_EPISODE,
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
            Concept("sudden onset", TODAY_ONSET),
        ),
        positional_is_benign=True,
        unless=NOT_PROGRESSING,
    ),
    Rule(
        "stroke",
        "stroke signs: sudden loss of vision, or numbness on one side of the body",
        (Concept("vision loss", VISION_LOSS), Concept("sudden onset", TODAY_ONSET)),
        same_sentence=True,
        positional_is_benign=True,
    ),
    Rule(
        "stroke",
        "stroke signs: sudden loss of vision, or numbness on one side of the body",
        (Concept("vision loss", VISION_LOSS), Concept("one side numb or weak", SIDE_NUMB), Concept("recent onset", TODAY_ONSET)),
        positional_is_benign=True,
    ),
    Rule(
        "stroke",
        "stroke signs: sudden loss of vision, or numbness on one side of the body",
        (Concept("one side numb or weak", SIDE_NUMB), Concept("a whole side", WHOLE_SIDE), Concept("sudden onset", TODAY_ONSET)),
        same_sentence=True,
        positional_is_benign=True,
        unless=NOT_PROGRESSING,
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
        # A seizure still going on, or lasting minutes, is the emergency itself (status epilepticus).
        acute_also=r"\b(?:is|are|has been|have been|keeps?|still) (?:\w+ )?(?:fitting|seizing|convulsing|jerking|shaking)\b|"
        r"\b(?:isn'?t|is not|won'?t|not|hasn'?t|has not) stopp?(?:ing|ed)?\b|\b(?:for|over|more than|longer than) "
        r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty) (?:minutes|mins)\b",
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
        postoperative=True,
    ),
    Rule(
        "csf_leak",
        "possible leak of brain fluid (CSF) after surgery: clear watery fluid from the wound or the nose",
        (CSF_SURGERY, Concept("clear fluid", CSF_FLUID)),
        postoperative=True,
        # A cold or hay fever runs from the nose too; "clear fluids" are also what one drinks after surgery.
        unless=r"\b(?:a |the |bad |head |heavy )cold\b|\bhay ?fever\b|\ballerg\w+|\bflu\b|\bdrink\w*|\bsip\w*|\bdiet\b|\bonly allowed\b",
    ),
    Rule(
        "postoperative_airway",
        "after surgery: trouble breathing or swallowing, or a swelling neck (possible bleed pressing on the airway)",
        (RECENT_SURGERY, Concept("breathing or neck swelling", BREATHING + "|" + NECK_SWELLING)),
        unless=r"\b(?:getting|much|a (?:lot|bit|little)) better\b|\bimproving\b|\beasing\b|\bslowly\b|\bgradually\b",
        postoperative=True,
    ),
    Rule(
        "postoperative_airway",
        "after surgery: trouble breathing or swallowing, or a swelling neck (possible bleed pressing on the airway)",
        (RECENT_SURGERY, Concept("swallowing", SWALLOWING)),
        # Slowly easing swallowing after neck surgery is the expected course, not an emergency; nor is a
        # sore swallow still there weeks later and kept for the follow-up, unless it is new or worse.
        unless=r"\b(?:getting|much|a (?:lot|bit|little)) better\b|\bimproving\b|\beasing\b|\bslowly\b|\bgradually\b",
        postoperative=True,
        chronic_unless=r"\b(?:two|three|four|five|six|seven|eight|nine|ten|\d+|a few|few|several|couple of) weeks\b|\bmonths?\b|"
        r"\bstill\b|\bfollow-?up\b|\bpart of (?:the )?(?:recovery|healing)\b",
        chronic_overridden_by=r"\bworse\w*|\bsudden\w*|\b(?:can't|cannot|unable to) (?:even )?swallow (?:anything|my (?:own )?(?:spit|saliva)|water|at all)\b|"
        r"\bdrool\w*|\bchok\w*|\bswell\w*|\bswollen\b",
    ),
    Rule(
        "postoperative_pneumothorax",
        "after first rib / thoracic outlet surgery: breathlessness or chest pain on breathing (possible collapsed lung)",
        (RECENT_SURGERY, TOS_SURGERY, Concept("breathing or chest pain", BREATHING + "|" + CHEST_PAIN)),
        unless=r"\b(?:getting|much|a (?:lot|bit|little)) better\b|\bimproving\b|\beasing\b",
        postoperative=True,
    ),
    Rule(
        "vascular_tos",
        "vascular TOS: a cold, pale, blue or pulseless arm or hand (possible blocked artery or clot)",
        (
            Concept(
                "arm colour or pulse",
                either_order(
                    ARM,
                    r"\bblue\w*|\bbluish\b|\bpurple\w*|\bdusky\b|\bmottled\b|\bwhite\b|\bpale\b|\bcold\b|\bicy\b|\bgr[ae]y\b|\bdark\b",
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
            Concept("sudden onset", SUDDEN + r"|\btoday\b|\bthis (?:morning|afternoon|evening)\b|\btonight\b|\bovernight\b|\bsince (?:yesterday|last night)\b|\bwoke (?:up )?with\b|\bwhen (?:i|he|she) woke\b"),
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
        residual_can_be_chronic=False,
    ),
    Rule(
        "progressive_weakness",
        "rapidly progressive weakness: getting weaker over hours or days",
        (
            Concept(
                "weakness getting worse",
                r"\bweaker\b|\b(?:getting|got|gotten|become|becoming|grown|growing|going|gone) (?:\w+ ){0,2}?weak\b|"
                r"\bweakness (?:\w+ ){0,3}?(?:spreading|worse|worsening|progressing)\b|"
                r"\b(?:weak\w*|dragg\w+|flopp\w+|floppy|slapp\w+|heavy|heavier|useless|drop\w*)\b(?:\W+[\w']+){0,8}?\W+(?:worse|more and more|every day|each day|day by day|spreading|spread)\b|"
                r"\bnow (?:the |my |his |her )?whole (?:left |right )?(?:leg|arm|foot|side)\b(?:\W+[\w']+){0,3}?\W+(?:weak\w*|numb|dead|heavy|useless|gone)\b",
            ),
        ),
        needs_acute=True,
        acute_also=PROGRESSION,
        unless=NOT_PROGRESSING,
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
                r"\blost (?:the )?use of (?:my|his|her|both) (?:legs?|arms?)\b|"
                r"\bfoot (?:\w+ ){0,3}?(?:slap\w*|drag\w*|flop\w*|drop\w*)\b|\b(?:dragging|drag|drags) (?:my|his|her|the|one) (?:left |right )?(?:foot|leg)\b|"
                r"\b(?:leg|foot) (?:is |keeps |keeps on )?(?:dragging|flopping|slapping)\b|"
                r"\bwhole (?:left |right )?(?:leg|arm)\b(?:\W+[\w']+){0,3}?\W+(?:weak\w*|numb|dead|heavy|useless|gone)\b",
            ),
            Concept(
                "weakness",
                r"\bweak\w*|\bparaly\w+|\bfoot drop\b|\bslapping\b|\bgiving way\b|\bcollaps\w+|\blost (?:the )?use of\b|"
                r"\bflopp\w+|\bfloppy\b|\bdragg\w+|\buseless\b|\bfoot (?:\w+ ){0,3}?drop\w*",
            ),
        ),
        needs_acute=True,
        acute_also=PROGRESSION,
        unless=NOT_PROGRESSING,
    ),
    Rule(
        "spinal_cord_compression",
        "possible spinal cord compression from cancer: legs weak, heavy, numb or unsteady in someone with cancer",
        (CANCER, Concept("legs failing", LEGS_FAILING)),
        unless=r"\bfor (?:months|years)\b|\bslowly\b|\bgradually\b|\bafter (?:a |my |long )?(?:walk|run|exercise|chemo session)\w*",
    ),
    Rule(
        "thunderclap_headache",
        "headache with a stiff neck and vomiting, drowsiness or confusion (possible bleed or meningitis)",
        (
            Concept("headache", HEADACHE),
            Concept("stiff neck", STIFF_NECK),
            Concept("unwell", r"\bvomit\w*|\bthrow\w* up\b|\bthrew up\b|\bbeing sick\b|\bbeen sick\b|\bdrows\w+|\bsleepy\b|"
                    r"\bconfus\w+|\bhard to (?:wake|rouse)\b|\bnot making sense\b|\bcollaps\w+|\bpassed out\b|\bfainted\b|"
                    r"\bfever\w*|\brash\b|\blight hurts\b|\bcan't (?:stand|bear|look at) (?:the )?(?:light|brightness)\b"),
        ),
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
        residual_can_be_chronic=False,
    ),
)

# "When I raise my arm..." or "every time I cough" describes a repeatable pattern, not a new event.
# Present-simple verbs ("my hand gets cold", "it goes away") say the same.
HABITUAL = re.compile(
    # ...but "when I went to A&E" tells one past event.
    r"\bwhen(?:ever)? (?:i|he|she|my|his|her|they)\b(?! (?:went|was|were|got|woke|came|arrived|had|did|saw|called|rang|phoned)\b)|\bevery time\b|\beach time\b|\balways\b|\busually\b|\boften\b|"
    r"\bsometimes\b|\bafter hours of\b|\bfor hours\b|\bbuilds? up\b|\bslowly\b|\bby the end of\b|\bat night\b|"
    r"\b(?:gets|goes|go|turns|swells|settles|settle|wears off)\b|\bgoes away\b"
)
