"""The one place intake and workers meet the triage engine.

Intake needs two answers from `service.triage`: red flags at once, in the web request, and
the topic with confidence in the worker. Both go through here so tickets never depend on the
engine's internals.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from service.triage.red_flags import detect_red_flags
from service.triage.runtime import current_engine

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


def red_flags(text: str) -> list[Flag]:
    """Emergencies described in `text`, decided in the web request so advice shows at once."""
    return [Flag(f.code, f.reason, f.evidence) for f in detect_red_flags(text)]


def classify(text: str) -> Classification:
    r = current_engine().classify(text)
    return Classification(r.tag, float(r.confidence), bool(r.urgent), list(r.reasons), bool(r.needs_review))
