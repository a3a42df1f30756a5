"""Triage of patient questions: topic (spine, brain, tos, general) with calibrated confidence, and red flags.

Pure Python and scikit-learn; no Flask or database here. The app supplies training examples
(content and coordinator corrections) and stores the trained engine via `dumps`/`loads`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.triage.red_flags import RedFlag, detect_red_flags

if TYPE_CHECKING:
    from service.triage.engine import TOPICS, TriageEngine, TriageResult, default_engine

__all__ = ["TOPICS", "RedFlag", "TriageEngine", "TriageResult", "default_engine", "detect_red_flags"]

_ENGINE_NAMES = {"TOPICS", "TriageEngine", "TriageResult", "default_engine"}


def __getattr__(name: str) -> Any:
    # The engine pulls in scikit-learn; a web request that only checks red flags should not pay for it.
    if name in _ENGINE_NAMES:
        from service.triage import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
