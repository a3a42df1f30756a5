import json
from pathlib import Path

import pytest

from service.triage.engine import TriageEngine, default_engine

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


@pytest.fixture(scope="session")
def engine() -> TriageEngine:
    return default_engine()


@pytest.fixture(scope="session")
def dev_rows() -> list[dict]:
    path = SHARED / "triage" / "dev.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not present (the shared data sits beside the repository)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def faq_rows() -> list[dict]:
    path = SHARED / "seed" / "faq.json"
    if not path.exists():
        pytest.skip(f"{path} not present (the shared data sits beside the repository)")
    return [{"text": f["question"], "tag": f["tag"], "urgent": False} for f in json.loads(path.read_text("utf-8"))]
