"""NegEx-style scoping: is a mention in a message denied, imagined, or in the past?

A red flag only counts when the patient says it is happening now. Patients wrap the same words in
negation ("no numbness"), hypotheticals ("what if I ever..."), history ("ten years ago I had...")
and other people's past ("my aunt had a stroke"). Each matched span is judged against cue words in
its own sentence, which is how NegEx (Chapman et al. 2001) keeps recall while cutting false alarms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

_SENTENCE_END = re.compile(r"[.!?;\n]+(?=\s|$)|\?+")

# Negation and hypothetical scope runs forward from its cue and stops at these: a contrast word,
# or a comma that opens a new statement about someone ("no fever, my wound is leaking pus").
# A comma followed by a bare noun keeps the scope open so lists stay negated
# ("no weakness, numbness or bladder problems").
_SCOPE_END = re.compile(
    r"\b(?:but|however|although|though|except|apart from|other than|yet|whereas|while|right now|now|"
    r"today|tonight|this (?:morning|afternoon|evening)|since)\b"
    r"|,\s*(?=(?:i|i'm|i've|my|he|he's|she|she's|his|her|it|it's|the|they|we|our|and|so|then|which)\b)"
    r"|\s-\s|:"
)

# "no feeling" and "without control" are symptoms, not denials of what follows them.
_NEGATION = re.compile(
    r"\b(?:(?:no|without)(?! (?:any |proper )?(?:feeling|sensation|control|urge)\b)|not|never|denies|denied|deny|(?<!from )nothing|none|neither|nor|free of|absence of|"
    r"negative for|ruled out|hasn't|haven't|hadn't|didn't|doesn't|don't|isn't|wasn't|aren't|weren't)\b"
)
_NEGATION_WINDOW_WORDS = 6

_HYPOTHETICAL = re.compile(
    r"(?<!as )(?<!even )\bif\b|\bhypothetical\w*|(?<!first )(?<!worst )(?<!pain )(?<!headache )(?<!had )(?<!felt )\bever\b|\bin case\b|\bwhat would\b|\bwould (?:it|that|this)\b|"
    r"\b(?:signs?|symptoms?) (?:of|to watch|that)\b|\bwatch (?:out )?for\b|\blook out for\b|"
    r"\b(?:could|can|does|do|would|might|will) (?:\w+ ){0,4}?(?:cause|lead to|result in|mean)\b|"
    r"\bmight\b|\bsome ?day\b|\bone day\b|\b(?:i|we) (?:read|heard|was told|were told|have read|'ve read)\b|"
    r"\bwhat happens (?:if|when)\b|\bwhat (?:do|should) (?:i|we) do (?:if|when)\b|\bshould (?:i|we) worry\b|"
    # Worry about what might come is imagined; worry about what is happening ("I'm worried that her
    # face is drooping") describes it: only a modal or a "getting/developing" after the worry is hypothetical.
    r"\b(?:worried|worry|worrying|afraid|scared|concerned|frightened|terrified|anxious|nervous|fear)(?: that| about| of)? "
    r"(?:\w+ ){0,4}?(?:might|could|may|will|would|going to|gonna|'ll)\b|"
    r"\b(?:worried|worry|worrying|afraid|scared|concerned|frightened|terrified|anxious|nervous|fear) (?:about|of) (?:\w+ ){0,2}?"
    r"(?:getting|developing|having|ending up|becoming|losing|being left|the risk|the possibility|possible|future|complications)\b|"
    r"\brisk of\b|\bchance of\b|\bprevent\w*\b|"
    r"\bwhat (?:does|do|would) (?:\w+ ){0,4}?feel like\b|\bwill (?:i|he|she|it|my|this|there)\b|"
    r"\bscheduled\b|\bbooked\b|\bgoing to have\b|\bis it (?:possible|common|normal|true)\b|"
    # Questions about what to look out for, and a doctor's screening questions, name symptoms
    # nobody has: "what are the warning signs...", "my GP asked me about bladder problems".
    r"\b(?:warning|danger|red[- ]flag) (?:signs?|symptoms?)\b|\bred flags?\b|"
    r"\b(?:what|which) (?:\w+ ){0,2}?(?:signs?|symptoms?|problems?)\b|\b(?:signs?|symptoms?) (?:after|following|to look)\b|"
    r"\b(?:should|do|must) (?:i|we|he|she) (?:\w+ )?(?:watch|look) (?:out )?for\b|"
    r"\bwhen (?:should|do|must|would) (?:i|we|he|she) (?:go|call|ring|phone|come|worry|seek|get)\b|\bwhat if\b|"
    r"\b(?:asked|asking|asks|ask) (?:me |him |her |us |them )?(?:about|if|whether)\b|\bchecked (?:me |him |her )?(?:for|if|whether)\b|"
    r"\bscreen\w* (?:me |him |her )?for\b|\b(?:tested|testing|test) (?:me |him |her )?for\b|\bto rule out\b|\bquestions? about\b"
)

_PAST = re.compile(
    r"\b(?:(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|few|a few|"
    r"several|many|some|couple of|a couple of) )?(?:years?|months?) (?:ago|back|earlier)\b|\b(?:long|ages) ago\b|"
    r"\blast (?:year|spring|summer|autumn|fall|winter)\b|\bin (?:19|20)\d\d\b|\bback in\b|"
    r"\b(?:as|when (?:i|he|she) was) an? (?:child|baby|kid|teenager|teen|toddler|infant)\b|"
    r"\bwhen (?:i|he|she|they) (?:was|were) (?:\d+|young|little|younger)\b|\bused to\b|"
    r"\bin the past\b(?! (?:\w+ )?(?:hour|hours|minutes?|day|days|night|24|48))|\bpreviously\b|"
    r"\bin (?:january|february|march|april|may|june|july|august|september|october|november|december)\b|"
    r"\bin the (?:spring|summer|autumn|fall|winter)\b|\bthe last time\b|\bback then\b|\bat the time\b|"
    r"\b(?:fully|completely) (?:recovered|resolved|healed)\b|\b(?:recovered|resolved|healed) (?:fully|completely|fine|well)\b|"
    r"\b(?:has|have|had) (?:since )?(?:resolved|settled|cleared)\b|\bwent away\b|"
    r"\b(?:he's|she's|i'm|i am|he is|she is|it's|it is|they are|we are) (?:fine|ok|okay|well|doing well|great|back to normal)(?: now)?\b|"
    r"\bbeen (?:great|fine|good|well) since\b|"
    # "...and it hasn't gone back to normal" is the opposite of history: the denial keeps it current.
    r"\b(?<!n't )(?<!not )(?<!never )(?:went|gone|got|came|is|was|are|were) back to normal\b|"
    r"\b(?<!n't )(?<!not )(?<!never )returned to normal\b|\bhistory of\b|\bonce had\b|\bhad an episode\b"
)

_CURRENT = re.compile(
    r"\b(?:now|today|tonight|currently|right now|at the moment|just now|this (?:morning|afternoon|evening|week)|"
    r"since (?:yesterday|last night|this|today|then|\w+day)|yesterday|last night|"
    r"(?:\d+|a|an|one|two|three|few|a few|half an|couple of|a couple of) (?:minutes?|mins?|hours?|hrs?|days?) ago|"
    r"(?:in|over|during) the (?:past|last) (?:\w+ )?(?:hour|hours|minutes|day|days|night|24 hours|48 hours)|"
    r"by the hour|every hour|all day|still|again|getting worse|worse and worse|just (?:had|happened|started|collapsed|gone|went)|"
    r"first time ever|for the first time)\b"
)

# Cues that pin an event to the last hours or days: what makes a seizure "new" or weakness "rapid".
# Narrower than _CURRENT, which also accepts "still" and "again".
_ACUTE = re.compile(
    r"\b(?:today|tonight|this (?:morning|afternoon|evening)|since (?:yesterday|last night|this|today|\w+day)|"
    r"yesterday|last night|just now|just (?:had|happened|started|collapsed)|right now|suddenly|all of a sudden|"
    r"(?:\d+|a|an|one|two|three|few|a few|half an|couple of|a couple of) (?:minutes?|mins?|hours?|hrs?) ago|"
    r"(?:in|over|during) the (?:past|last) (?:\w+ )?(?:hour|hours|minutes|day|days|night|24 hours|48 hours)|"
    r"by the hour|every hour|first (?:ever )?(?:seizure|fit)|never had (?:one|a seizure|a fit) before)\b"
)

# A third party's past illness ("my aunt had a stroke", "a friend had a clot") is not the
# patient's emergency. Weaker than an explicit time cue: "my mum had a seizure this morning" is now.
_THIRD_PARTY_PAST = re.compile(
    r"\b(?:a friend|a colleague|someone i know|my (?:friend|aunt|uncle|grandmother|grandfather|grandma|grandpa|"
    r"cousin|neighbou?r|colleague|coworker|co-worker|mother|mum|mom|father|dad|sister|brother)(?:'s \w+)?) "
    r"(?:\w+ )?(?:had|got|suffered|was diagnosed|died)\b"
)


class Tense(Enum):
    CURRENT = "current"
    PAST = "past"
    UNKNOWN = "unknown"  # no cue: read as current, since most messages describe the present


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """Split normalised text into sentences, keeping offsets into the text."""
    out: list[Sentence] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() > start:
            out.append(Sentence(start, m.end(), text[start : m.end()]))
        start = m.end()
    if start < len(text):
        out.append(Sentence(start, len(text), text[start:]))
    return [s for s in out if s.text.strip()]


def _scope_reaches(sentence: str, cue_end: int, target: int, max_words: int | None) -> bool:
    between = sentence[cue_end:target]
    if _SCOPE_END.search(between):
        return False
    return max_words is None or len(between.split()) <= max_words


def is_negated(sentence: str, start: int, cues_from: int = 0) -> bool:
    """Whether a negation cue between `cues_from` and `start` in this sentence reaches `start`."""
    # Search past `start` so a cue's look-ahead ("no feeling" is not a denial) sees the next word.
    for m in _NEGATION.finditer(sentence, cues_from):
        if m.end() > start:
            return False
        if _scope_reaches(sentence, m.end(), start, _NEGATION_WINDOW_WORDS):
            return True
    return False


# "Are sudden headaches a sign of a tumour?" asks about medicine, not about anyone's symptoms.
# A question that mentions a person ("is it normal that my face is drooping?") is not generic.
_GENERIC_QUESTION = re.compile(r"^\s*(?:are|is|can|could|do|does|what|how|why|should|when|which|will|would)\b[^?]*\?\s*$")
_PERSON = re.compile(
    r"\b(?:i|i'm|i've|i'd|me|my|we|our|us|he|she|his|her|him|they|their|son|daughter|wife|husband|mum|mom|dad|"
    r"mother|father|baby|child|boy|girl|partner)\b"
)


def is_hypothetical(sentence: str, start: int) -> bool:
    """Whether a conditional, imagined or second-hand cue before `start` governs it, or the whole
    sentence is a general question."""
    if _GENERIC_QUESTION.match(sentence) and not _PERSON.search(sentence):
        return True
    return any(
        _scope_reaches(sentence, m.end(), start, None) for m in _HYPOTHETICAL.finditer(sentence, 0, start)
    )


_CLAUSE_CUT = re.compile(r",|\s-\s|\band (?:now|then|today)\b")


def _clause_bounds(sentence: str, position: int) -> tuple[int, int]:
    cuts = [0] + [m.start() for m in _CLAUSE_CUT.finditer(sentence)] + [len(sentence)]
    start = max(c for c in cuts if c <= position)
    end = min(c for c in cuts if c > position) if position < len(sentence) else len(sentence)
    return start, end


def tense_at(sentence: str, start: int) -> Tense:
    """When a mention happens: the nearest time cue before it in the sentence wins, else one after it
    in the same clause ("I had a seizure ten years ago"), else a third-party past, else unknown."""
    cues = [(m.start(), Tense.PAST) for m in _PAST.finditer(sentence)]
    cues += [(m.start(), Tense.CURRENT) for m in _CURRENT.finditer(sentence)]
    before = [c for c in cues if c[0] < start]
    if before:
        return max(before, key=lambda c: c[0])[1]
    _, clause_end = _clause_bounds(sentence, start)
    after = [c for c in cues if start <= c[0] < clause_end]
    if after:
        return min(after, key=lambda c: c[0])[1]
    if _THIRD_PARTY_PAST.search(sentence, 0, start + 1) or _THIRD_PARTY_PAST.search(sentence):
        return Tense.PAST
    return Tense.UNKNOWN


# "The wound was red in week one and it's cleared": a symptom followed in its own sentence by its
# resolution is history. Checked only after the mention, and not across a contrast ("settled, but now").
_RESOLVED = re.compile(
    r"\b(?:(?:it|that|this|which|they|he|she)(?:'s| has| have| had)?|has|have|had) (?:now |since |all |completely |fully )?"
    r"(?:cleared|settled|resolved|healed|disappeared|gone(?= now| away|\s*[.,!;]|$))\b|"
    r"\bcleared up\b|\bsettled down\b|\ball gone\b|\bgone now\b|\bwent away\b|\bgot better\b|\bfine now\b"
)
_RESOLUTION_DENIED = re.compile(r"\b(?:not|hasn't|haven't|hadn't|didn't|isn't|wasn't|won't|never|nor|not yet)\W+(?:\w+\W+)?$")
_CONTRAST = re.compile(r"\b(?:but|however|although|though|yet|until|whereas|now|today|tonight|again|still|then)\b")


def is_resolved(sentence: str, end: int) -> bool:
    """Whether the sentence goes on, after a mention ending at `end`, to say it has cleared up."""
    for m in _RESOLVED.finditer(sentence, end):
        between = sentence[end : m.start()]
        if _CONTRAST.search(between) or _RESOLUTION_DENIED.search(sentence[: m.start()]):
            continue
        if "now" in m.group(0) and _CONTRAST.search(sentence[m.end():m.end() + 12]):
            continue
        return True
    return False


# "...bladder and bowel problems - I don't have any." A denial closing the sentence (or the next
# short sentence) takes back what was named before it.
_TRAILING_DENIAL = re.compile(
    r"(?:\b(?:i|he|she|we|they)\s+(?:don't|doesn't|do not|does not|haven't|hasn't|have not|has not|didn't|did not)"
    r"(?:\s+(?:have|had|got|get|notice|noticed|experience|experienced|suffer from))?\s+"
    r"(?:any(?:\s+of\s+(?:those|these|them|that|this))?|them|those|these|that|it|either|anything like that)"
    r"|\bnone\s+of\s+(?:those|these|them|that)|\bnot that i(?:'ve| have)? (?:noticed|know)|\bno to (?:all|both|each))\W*$"
)


def is_denied_after(sentence: str, end: int, following: str = "") -> bool:
    """A closing denial after the mention in its sentence, or a following sentence of only a denial."""
    # Only the sentence's last words can close it, and a bounded tail keeps long input fast.
    if _TRAILING_DENIAL.search(sentence[max(end, len(sentence) - 80) :]):
        return True
    following = following.strip()
    return bool(following) and len(following.split()) <= 8 and bool(_TRAILING_DENIAL.search(following))


# "Like a fever or the wound leaking?" lists examples for the question before it.
_EXAMPLES_OPENING = re.compile(r"^\s*(?:like|such as|e\.?g\.?|for example|for instance|say|or|things like|stuff like)\b")


def is_example_list(sentence: str, previous: str = "") -> bool:
    """A sentence that only gives examples for a question: it ends in '?' or follows a question."""
    if not _EXAMPLES_OPENING.match(sentence):
        return False
    return sentence.rstrip().endswith("?") or previous.rstrip().endswith("?") or is_hypothetical(previous, len(previous))


def acute_cues(sentence: str) -> list[re.Match[str]]:
    """Recency cues ("an hour ago", "since this morning") that are not inside a hypothetical."""
    return [m for m in _ACUTE.finditer(sentence) if not is_hypothetical(sentence, m.start())]


# --- message-level context: history that scopes what follows, and problems already assessed ------

_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NUMBER = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|few|a few|several|many|couple of|a couple of)"

# When an event lies long enough ago that what is left of it is chronic.
_LONG_AGO = re.compile(
    rf"\b{_NUMBER} (?:years?|months?) (?:ago|back|earlier)\b|\b(?:long|ages|years|months) ago\b|\bin (?:19|20)\d\d\b|"
    r"\bsince (?:19|20)\d\d\b|\blast year\b|\bback in\b|\bas an? (?:child|baby|kid|teenager|teen)\b|"
    r"\bwhen (?:i|he|she) was (?:\d+|young|little|younger|a child|a teenager)\b|"
    rf"\b{_NUMBER} (?:years?|months?) (?:after|since|post|out from|on from|out of)\b|\b(?:a|one) (?:year|month) (?:after|since|on)\b"
)
# "I still have some numbness", "left with", "ever since": what remains of that old event.
_RESIDUAL = re.compile(
    r"\bstill\b|\bleft with\b|\bever since\b|\bsince then\b|\bresidual\b|\bpermanent\w*|\blasting\b|\bleft ?over\b|"
    r"\bnever (?:fully |completely |really )?(?:recovered|went away|came back|returned|improved|got better)\b|"
    r"\bremain\w*|\bcontinu\w+ to\b|\bhas(?:n't| not) (?:changed|improved|gone)\b|\bnot (?:fully )?recovered\b|\blong[- ]term\b|"
    r"\bsince (?:my|the|his|her) (?:\w+ ){0,3}?(?:operation|surgery|op|bleed|stroke|injury|accident|fall)\b"
)
# What makes an old problem news again.
_NEW_AGAIN = re.compile(
    r"\bnew\b|\bnewly\b|\bworse\w*|\bworsening\b|\bspread\w*|\bsudden(?:ly)?\b|\bagain\b|\bstarted\b|\bsince (?:yesterday|last night|this|today|\w+day)\b|"
    r"\bnow (?:i|i'm|it|it's|he|she|he's|she's|can't|cannot|also|my|his|her|there|the)\b|\bno longer\b|\bthis week\b|"
    r"\bcan't (?:\w+ ){0,2}?any ?more\b"
)


def is_chronic_residual(sents: list[Sentence], index: int, start: int) -> bool:
    """"Three years ago I had surgery for cauda equina. I still have some numbness": a residual symptom of
    a long-past event, named in a sentence that says it remains and nothing about it being new."""
    s = sents[index].text
    if not _RESIDUAL.search(s) or _NEW_AGAIN.search(s) or acute_cues(s):
        return False
    return bool(_LONG_AGO.search(s, 0, start)) or any(_LONG_AGO.search(sents[i].text) for i in range(index))


# A clinician's or a test's verdict on the problem just described: "CT and lumbar puncture clear",
# "the nurse said it's normal healing". Not plain "discharged": that is how post-operative stories start.
_CLEARED = re.compile(
    r"\b(?:ct|cts|scans?|mri|mris|lumbar puncture|lp|tests?|bloods?|x-?rays?|results?|everything|angiogram|ultrasound|ecg)\b"
    r"(?:\W+[\w&']+){0,6}?\W+(?:(?:were|was|came back|come back|all|both|are|is|looked|look) )?(?:all )?"
    r"(?:clear|normal|fine|negative|ok|okay|unremarkable)\b|"
    r"\b(?:ruled out|all[- ]clear|cleared me|found nothing|nothing (?:was )?(?:found|seen|showed up|serious|sinister))\b|"
    r"\b(?:nurse|nurses|doctor|doctors|dr|gp|surgeon|consultant|physio|team|registrar|paramedics?|neurologist|specialist|they)\b"
    r"(?:\W+\w+){0,2}?\W+(?:said|says|told (?:me|us|him|her)|thinks?|reassured (?:me|us|him|her)|checked (?:it|me|him|her) and said)"
    r"(?: that)?(?: (?:it|this|that|the \w+|my \w+|his \w+|her \w+|all|everything)(?:'s| is| was| looks| looked| were| are)?)?"
    r"(?: \w+)?? (?:normal|fine|nothing to worry about|nothing serious|expected|healing|ok|okay|part of (?:the )?(?:healing|normal|recovery)|"
    r"(?:just|only) (?:a |an )?\w+|nothing)\b|"
    r"\b(?:a&e|a and e|er|emergency (?:room|department)|casualty|urgent care|hospital)\b(?:\W+[\w&']+){0,14}?\W+"
    r"(?:discharged|sent (?:me|him|her|us) (?:back )?home|let (?:me|him|her) go home)\b"
)
_CLEARED_DENIED = re.compile(r"\b(?:not|n't|no|wasn't|weren't|isn't|aren't)\b")
# After the verdict, the problem is back or worse: the verdict no longer covers it.
_RENEWED = re.compile(
    r"\b(?:it's|it has|it is|has|have|is|got|getting|gone|even|much|now|far|been) (?:\w+ )?worse\b|\bworsening\b|\bspreading\b|"
    r"\b(?:came|come|coming) back\b|\b(?:happened|started|struck|hit|returned) again\b|\bagain (?:today|tonight|this)\b|"
    r"\bbut now\b|\bgetting (?:bigger|redder|hotter)\b"
)
_DATED_EARLIER = re.compile(
    rf"\b{_NUMBER} (?:weeks?|months?|years?) ago\b|\blast (?:week|month|year)\b|\bin (?:19|20)\d\d\b|\bback in\b"
)


def cleared_sentences(sents: list[Sentence]) -> set[int]:
    """Indexes of sentences whose symptoms were assessed and cleared: the verdict's own sentence and the
    (up to two) sentences before it that tell the story, unless the message goes on to say it got worse
    or came back. A verdict dated earlier ("a scan last year was clear") covers only its own sentence."""
    cleared: set[int] = set()
    for j, sentence in enumerate(sents):
        for m in _CLEARED.finditer(sentence.text):
            if _CLEARED_DENIED.search(m.group(0)) or is_hypothetical(sentence.text, m.start()):
                continue
            rest = sentence.text[m.end():] + " " + " ".join(s.text for s in sents[j + 1 :])
            if _RENEWED.search(rest):
                continue
            cleared.add(j)
            if not _DATED_EARLIER.search(sentence.text):
                cleared.update(i for i in range(max(0, j - 2), j) if not _RENEWED.search(sents[i].text))
            break
    return cleared


# Post-operative warnings are about the first days and weeks: months later the same words describe recovery.
_SURGERY_LONG_AGO = re.compile(
    rf"\b{_NUMBER} (?:months?|years?) (?:after|since|post|out from|on from|out of|ago)\b|\b(?:a|one) (?:year|month) (?:after|since|on|post)\b|"
    r"\bin (?:19|20)\d\d\b|\blast year\b|\b(?:years|months) ago\b|\b(?:months|years) (?:after|since|post)\b"
)
_SURGERY_RECENT = re.compile(
    rf"\b{_NUMBER} (?:days?|weeks?|wks?) (?:ago|after|since|post|out|on)\b|\b(?:a|one|last) week\b|\byesterday\b|\blast night\b|"
    rf"\bthis week\b|\b(?:on|last|since) {_DAYS}\b|\bday (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b|"
    r"\bpost-?op day\b|\b(?:discharged|sent home|came home|got home|home from hospital)\b|\bdays? ago\b"
)


def surgery_long_ago(text: str) -> bool:
    """The message dates its operation months or years back and says nothing of days or weeks."""
    return bool(_SURGERY_LONG_AGO.search(text)) and not _SURGERY_RECENT.search(text)


# --- the same scopes word by word, for the urgency model --------------------------------------------

_WORD_SPAN = re.compile(r"[a-z0-9][a-z0-9'-]*")


def _scope_stop(sentence: str, cue_end: int, max_words: int | None) -> int:
    """Where a scope opened at `cue_end` closes: the first scope end, or after `max_words` words."""
    stop = _SCOPE_END.search(sentence, cue_end)
    end = stop.start() if stop else len(sentence)
    if max_words is not None:
        words = list(_WORD_SPAN.finditer(sentence, cue_end, end))
        if len(words) > max_words:
            end = words[max_words].start()
    return end


def word_scopes(sentence: str) -> list[tuple[str, str]]:
    """Each word of a sentence with the scope it lies in: "neg", "hyp", "past" or "" (affirmed, now).

    The cues are the rules' own (negation, hypothetical, time, third party), found once per sentence
    rather than once per word, so a model can mark every word and stay within the time budget."""
    words = list(_WORD_SPAN.finditer(sentence))
    if not words:
        return []
    if _GENERIC_QUESTION.match(sentence) and not _PERSON.search(sentence):
        return [(w.group(0), "hyp") for w in words]
    negated = [(m.end(), _scope_stop(sentence, m.end(), _NEGATION_WINDOW_WORDS)) for m in _NEGATION.finditer(sentence)]
    imagined = [(m.end(), _scope_stop(sentence, m.end(), None)) for m in _HYPOTHETICAL.finditer(sentence)]
    times = sorted(
        [(m.start(), Tense.PAST) for m in _PAST.finditer(sentence)]
        + [(m.start(), Tense.CURRENT) for m in _CURRENT.finditer(sentence)]
    )
    third_party_past = bool(_THIRD_PARTY_PAST.search(sentence))
    cuts = [0] + [m.start() for m in _CLAUSE_CUT.finditer(sentence)] + [len(sentence)]
    out = []
    for w in words:
        start = w.start()
        if any(cue_end <= start < stop for cue_end, stop in negated):
            out.append((w.group(0), "neg"))
            continue
        if any(cue_end <= start < stop for cue_end, stop in imagined):
            out.append((w.group(0), "hyp"))
            continue
        before = [tense for at, tense in times if at <= start]
        if before:
            tense = before[-1]
        else:
            clause_end = min(c for c in cuts if c > start)
            after = [tense for at, tense in times if start <= at < clause_end]
            tense = after[0] if after else (Tense.PAST if third_party_past else Tense.UNKNOWN)
        out.append((w.group(0), "past" if tense is Tense.PAST else ""))
    return out
