"""The one place intake and workers meet the triage engine.

`service.triage` (classifier + red-flag rule book) is built on its own branch. Until it is
merged, a small keyword fallback keeps intake and routing working. Swapping in the real
engine needs no change here: the import below simply starts to succeed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

EMERGENCY_ADVICE = (
    "What you describe can be a medical emergency. Do not wait for our reply: call your local "
    "emergency number (999, 112 or 911) or go to the nearest emergency department now, and show "
    "them this message."
)


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str
    evidence: str


@dataclass(frozen=True)
class Classification:
    tag: str
    confidence: float
    urgent: bool
    reasons: list[str] = field(default_factory=list)
    needs_review: bool = False


try:  # the real engine, once branch `triage` is merged
    from service.triage import current_engine as _current_engine
    from service.triage.red_flags import detect_red_flags as _detect_red_flags

    ENGINE = "service.triage"
except ImportError:  # pragma: no cover - exercised only before the merge
    _current_engine = None
    _detect_red_flags = None
    ENGINE = "keyword fallback"


def red_flags(text: str) -> list[Flag]:
    """Emergencies described in `text`, decided in the web request so advice shows at once."""
    if _detect_red_flags is not None:
        return [Flag(f.code, f.reason, f.evidence) for f in _detect_red_flags(text)]
    return _fallback_red_flags(text)


def classify(text: str) -> Classification:
    if _current_engine is not None:
        r = _current_engine().classify(text)
        return Classification(r.tag, float(r.confidence), bool(r.urgent), list(r.reasons), bool(r.needs_review))
    return _fallback_classify(text)


# ---- keyword fallback -----------------------------------------------------------------------
# Checked in this order (tos, brain, spine): TOS stories mention arms and necks, so the
# narrower list must win before "neck" pulls a question to spine.
_TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "tos": ("thoracic outlet", "tos", "first rib", "scalene", "subclavian", "rib resection"),
    "brain": ("brain", "tumour", "tumor", "aneurysm", "hydrocephalus", "shunt", "craniotomy",
              "glioma", "meningioma", "seizure", "skull", "headache", "pituitary"),
    "spine": ("spine", "spinal", "back", "neck", "disc", "disk", "sciatica", "lumbar", "cervical",
              "vertebra", "fusion", "laminectomy", "discectomy", "stenosis"),
}
_RED_FLAG_RULES: tuple[tuple[str, str, str], ...] = (
    ("cauda_equina", "Possible cauda equina syndrome (saddle numbness or new bladder/bowel loss)",
     r"(saddle|between my legs|groin)\W+(?:\w+\W+){0,3}numb|numb\w*\W+(?:\w+\W+){0,4}(saddle|between my legs|groin)"
     r"|(can'?t|cannot|unable to|lost control of (my )?)\W*(pee|urinate|bladder|bowel)|wet myself|incontinen"),
    ("thunderclap_headache", "Sudden severe headache (possible bleed)",
     r"worst headache|thunderclap|sudden\w*\W+(?:\w+\W+){0,3}(severe|terrible|excruciating)\W+headache"),
    ("acute_weakness", "New weakness, paralysis or speech loss",
     r"(can'?t|cannot) (move|feel) my (legs?|arms?)|paralys|slurred speech|face (is )?droop"),
    ("seizure_now", "Seizure", r"\b(having|had) (a )?(seizure|fit)s? (now|today|just now)"),
    ("wound_infection", "Possible wound infection or CSF leak after surgery",
     r"(wound|incision)\W+(?:\w+\W+){0,5}(pus|oozing|leaking|red and hot)|fever\W+(?:\w+\W+){0,6}(wound|incision)"),
)


def _fallback_red_flags(text: str) -> list[Flag]:
    lowered = " ".join(text.lower().split())
    flags = []
    for code, reason, pattern in _RED_FLAG_RULES:
        match = re.search(pattern, lowered)
        if match:
            flags.append(Flag(code, reason, match.group(0)))
    return flags


def _fallback_classify(text: str) -> Classification:
    lowered = text.lower()
    hits = {
        topic: [w for w in words if re.search(rf"\b{re.escape(w)}\b", lowered)]
        for topic, words in _TOPIC_WORDS.items()
    }
    matched = [topic for topic, words in hits.items() if words]
    flags = _fallback_red_flags(text)
    reasons = [f.reason for f in flags]
    if not matched:
        return Classification("general", 0.3, bool(flags), reasons + ["no topic words"], True)
    tag = matched[0]
    confidence = 0.8 if len(matched) == 1 else 0.6
    reasons.append(f"keywords: {', '.join(hits[tag][:5])}")
    return Classification(tag, confidence, bool(flags), reasons, False)
