"""Cross-validated triage figures, so dev.jsonl is not the only evidence.

    .venv/bin/python bench/triage_cv.py [path/to/dev.jsonl]

1. base corpus, 5-fold: train on 4/5 of the base corpus alone, test on the rest.
2. base + dev, 5-fold over dev: train on the whole base corpus plus 4/5 of dev.jsonl, test on the
   held-out dev fold (what a clinic's own labelled messages add).
3. urgency safety net, 5-fold over its own corpus (data/urgency_examples.jsonl + calm base examples):
   emergency recall / precision per threshold for rules OR model and for the model alone, the threshold
   the rule "lowest keeping precision >= 0.9" picks, and recall per flag.
4. dev.jsonl as a whole held-out set, with the rules alone and with rules + the urgency model.
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
from service.triage.urgency_model import LABELS, NONE, THRESHOLD, cross_validate  # noqa: E402

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


def urgency_cv() -> str:
    cv = cross_validate()
    lines = [f"{'threshold':>9}  {'rules OR model':>22}  {'model alone':>22}"]
    for step in range(6, 19):
        t = step / 20
        both, alone = cv.figures(t), cv.figures(t, rules=False)
        mark = "  <- THRESHOLD" if abs(t - THRESHOLD) < 1e-9 else ""
        lines.append(
            f"{t:>9.2f}  recall {both[0]:.3f} prec {both[1]:.3f}  recall {alone[0]:.3f} prec {alone[1]:.3f}{mark}"
        )
    lines.append(f"rules alone: recall {cv.figures(2.0)[0]:.3f} precision {cv.figures(2.0)[1]:.3f}")
    lines.append(f"chosen threshold (lowest with rules OR model precision >= 0.9): {cv.threshold()}")
    lines.append("recall per flag at THRESHOLD (rules OR model):")
    for code in LABELS:
        rows = [(p, r) for f, p, r in zip(cv.flags, cv.probabilities, cv.ruled) if f == code]
        caught = sum(p >= THRESHOLD or r for p, r in rows)
        lines.append(f"  {code:<28}{caught:>4}/{len(rows)}")
    urgent = sum(f != NONE for f in cv.flags)
    lines.append(json.dumps({"n": len(cv.flags), "emergencies": urgent, "threshold": THRESHOLD,
                             "urgent_recall": round(cv.figures(THRESHOLD)[0], 4),
                             "urgent_precision": round(cv.figures(THRESHOLD)[1], 4)}))
    return "\n".join(lines)


def _pooled(reports: list) -> str:
    n = sum(r.n for r in reports)
    accuracy = sum(r.accuracy * r.n for r in reports) / n
    macro = sum(r.macro_f1 for r in reports) / len(reports)
    lines = [f"fold {i}: " + json.dumps(r.summary()) for i, r in enumerate(reports)]
    lines.append(json.dumps({"n": n, "accuracy": round(accuracy, 4), "mean_fold_macro_f1": round(macro, 4)}))
    return "\n".join(lines)


def main() -> None:
    dev = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DEV
    print("== urgency safety net, 5-fold over its training corpus")
    print(urgency_cv())
    print("== base corpus, 5-fold (urgent = red-flag rules' own verdict, so only topic figures mean much)")
    print(base_only_cv())
    if dev.exists():
        dev_rows = [json.loads(line) for line in dev.read_text("utf-8").splitlines() if line.strip()]
        print("== base corpus + dev.jsonl, 5-fold over dev (dev folds held out)")
        print(dev_cv(dev_rows))
        engine = TriageEngine.train()
        print("== dev.jsonl as a whole held-out set, base corpus only: rules alone, then rules + urgency model")
        print(json.dumps(evaluate(TriageEngine(engine.model, urgency=None), dev_rows).summary()))
        print(format_report(evaluate(engine, dev_rows)))


if __name__ == "__main__":
    main()
