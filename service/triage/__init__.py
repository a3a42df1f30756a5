"""Triage of patient questions: topic (spine, brain, tos, general) with calibrated confidence, and red flags.

Pure Python and scikit-learn; no Flask or database here. The app supplies training examples
(content and coordinator corrections) and stores the trained engine via `dumps`/`loads`.
"""

from service.triage.engine import TOPICS, TriageEngine, TriageResult, default_engine
from service.triage.red_flags import RedFlag, detect_red_flags

__all__ = ["TOPICS", "RedFlag", "TriageEngine", "TriageResult", "default_engine", "detect_red_flags"]
