"""Cross-validated triage figures, so dev.jsonl is not the only evidence.

    .venv/bin/python bench/triage_cv.py [path/to/dev.jsonl]

1. base corpus, 5-fold: train on 4/5 of the base corpus alone, test on the rest.
2. base + dev, 5-fold over dev: train on the whole base corpus plus 4/5 of dev.jsonl, test on the
   held-out dev fold (what a clinic's own labelled messages add).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.triage.corpus import TOPICS, base_examples  # noqa: E402
from service.triage.engine import TriageEngine  # noqa: E402
from service.triage.evaluation import evaluate, format_report  # noqa: E402
from service.triage.red_flags import detect_red_flags  # noqa: E402
from service.triage.topic_model import TopicModel  # noqa: E402

DEFAULT_DEV = Path(__file__).resolve().parents[1] / ".." / "shared" / "triage" / "dev.jsonl"
FOLDS = 5


def folds(rows: list, k: int = FOLDS, seed: int = 7) -> list[list]:
    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    return [shuffled[i::k] for i in range(k)]


def base_only_cv() -> str:
    rows = [{"text": t, "tag": tag, "urgent": bool(detect_red_flags(t))} for t, tag in base_examples()]
    results = []
    base_folds = folds(rows)
    for i, test in enumerate(base_folds):
        train = [r for j, fold in enumerate(base_folds) if j != i for r in fold]
        model = TopicModel(TOPICS).fit([r["text"] for r in train], [r["tag"] for r in train], [1.0] * len(train))
        results.append(evaluate(TriageEngine(model), test))
    return _pooled(results)


def dev_cv(dev_rows: list[dict]) -> str:
    results = []
    dev_folds = folds(dev_rows)
    for i, test in enumerate(dev_folds):
        extra = [(r["text"], r["tag"]) for j, fold in enumerate(dev_folds) if j != i for r in fold]
        results.append(evaluate(TriageEngine.train(extra), test))
    return _pooled(results)


def _pooled(reports: list) -> str:
    n = sum(r.n for r in reports)
    accuracy = sum(r.accuracy * r.n for r in reports) / n
    macro = sum(r.macro_f1 for r in reports) / len(reports)
    lines = [f"fold {i}: " + json.dumps(r.summary()) for i, r in enumerate(reports)]
    lines.append(json.dumps({"n": n, "accuracy": round(accuracy, 4), "mean_fold_macro_f1": round(macro, 4)}))
    return "\n".join(lines)


def main() -> None:
    dev = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DEV
    print("== base corpus, 5-fold (urgent = red-flag rules' own verdict, so only topic figures mean much)")
    print(base_only_cv())
    if dev.exists():
        dev_rows = [json.loads(line) for line in dev.read_text("utf-8").splitlines() if line.strip()]
        print("== base corpus + dev.jsonl, 5-fold over dev (dev folds held out)")
        print(dev_cv(dev_rows))
        print("== dev.jsonl as a whole held-out set, base corpus only")
        print(format_report(evaluate(TriageEngine.train(), dev_rows)))


if __name__ == "__main__":
    main()
