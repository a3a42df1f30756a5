"""How fast triage is on one core: ms per message (median over dev.jsonl) and training seconds.

Training is timed cold: the first TriageEngine.train() in a process also fits the urgency model (its
corpus ships with the code, so later trainings in the same process reuse it). CPU seconds are what one
core spends; wall seconds also count waiting on a busy machine.

    .venv/bin/python bench/triage_speed.py [path/to/dev.jsonl]

Targets: classify < 5 ms per message; train on base corpus + a few hundred extra examples < 10 s.
"""

from __future__ import annotations

import os

# One core, as on a small worker: set before numpy and scikit-learn are imported.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.triage.corpus import base_examples  # noqa: E402
from service.triage.engine import TriageEngine  # noqa: E402
from service.triage.text import clean  # noqa: E402

DEFAULT_DEV = Path(__file__).resolve().parents[1] / ".." / "shared" / "triage" / "dev.jsonl"


def main() -> None:
    dev = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DEV
    if dev.exists():
        texts = [json.loads(line)["text"] for line in dev.read_text("utf-8").splitlines() if line.strip()]
    else:
        texts = [text for text, _ in base_examples()]
    # Stand-in for a clinic's content and corrections: a few hundred examples on top of the base.
    extra = [(text + " (re-tagged)", tag) for text, tag in base_examples()[:300]]

    started, cpu_started = time.perf_counter(), time.thread_time()
    TriageEngine.train()
    base_seconds, base_cpu = time.perf_counter() - started, time.thread_time() - cpu_started
    started, cpu_started = time.perf_counter(), time.thread_time()
    engine = TriageEngine.train(extra)
    extra_seconds, extra_cpu = time.perf_counter() - started, time.thread_time() - cpu_started

    for text in texts[:10]:  # warm caches (regexes, lexicon) before timing
        engine.classify(text)
    timings, cpu_timings = [], []
    for text in texts:
        started, cpu_started = time.perf_counter(), time.thread_time()
        engine.classify(text)
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.thread_time() - cpu_started) * 1000)

    print(f"messages timed: {len(timings)} ({'dev.jsonl' if dev.exists() else 'base corpus'})")
    print(f"classify ms/message: median {statistics.median(timings):.2f}, p95 {sorted(timings)[int(0.95 * len(timings))]:.2f}")
    # CPU time is what one core spends; wall time also counts waiting on a busy machine.
    print(f"classify CPU ms/message: median {statistics.median(cpu_timings):.2f}")
    urgency_cpu = []
    for text in texts:
        cleaned = clean(text)
        cpu_started = time.thread_time()
        engine.urgency.read(cleaned)
        urgency_cpu.append((time.thread_time() - cpu_started) * 1000)
    print(f"  of which the urgency model: median {statistics.median(urgency_cpu):.2f}, "
          f"p95 {sorted(urgency_cpu)[int(0.95 * len(urgency_cpu))]:.2f} CPU ms")
    print("train seconds (wall / CPU):")
    print(f"  base corpus, cold, with the urgency model {base_seconds:.2f} / {base_cpu:.2f}")
    print(f"  base + {len(extra)} extra, urgency model reused {extra_seconds:.2f} / {extra_cpu:.2f}")


if __name__ == "__main__":
    main()
