"""Intake throughput: POST /api/v1/questions against a running server; prints submissions/s, p50, p99.

    RATELIMIT_ENABLED=0 make run            # or gunicorn service.wsgi:app, in another terminal
    python bench/intake_throughput.py --url http://127.0.0.1:5000 --requests 500 --concurrency 16

Rate limits must be off on the server (RATELIMIT_ENABLED=0), or the run measures 429s.
Every request uses its own email address; a few are red flags, as in real traffic.
The last line is JSON for scripts.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

QUESTIONS = [
    "My lower back hurts and the pain runs down my left leg to the foot. Would a discectomy help?",
    "I was told I have a meningioma on my MRI. Does it always need an operation?",
    "After my first rib resection for thoracic outlet syndrome, when can I lift my toddler again?",
    "Since this morning my groin is numb and I cannot pee, and my back pain is terrible.",
    "My neck is stiff and my hands tingle at night. Is this cervical stenosis?",
]


def submit(url: str, n: int, timeout: float) -> tuple[int, float]:
    body = json.dumps({
        "name": f"Bench Patient {n}",
        "email": f"bench-{uuid.uuid4().hex[:12]}@example.com",
        "question": QUESTIONS[n % len(QUESTIONS)],
        "consent": True,
    }).encode()
    request = urllib.request.Request(f"{url}/api/v1/questions", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        status = 0
    return status, time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        results = list(pool.map(lambda n: submit(url, n, args.timeout), range(args.requests)))
    elapsed = time.perf_counter() - started

    statuses = Counter(status for status, _ in results)
    accepted = [seconds for status, seconds in results if status == 202]
    summary = {
        "requests": args.requests,
        "concurrency": args.concurrency,
        "accepted": len(accepted),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(elapsed, 3),
        "submissions_per_second": round(len(accepted) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(accepted) * 1000, 1) if accepted else None,
        "p99_ms": round(percentile(accepted, 99) * 1000, 1) if accepted else None,
    }
    print(f"{summary['accepted']}/{args.requests} accepted in {summary['seconds']} s "
          f"({summary['submissions_per_second']}/s) at concurrency {args.concurrency}; "
          f"p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms; statuses {summary['statuses']}")
    if statuses.get(429):
        print("note: 429s seen; start the server with RATELIMIT_ENABLED=0", file=sys.stderr)
    print(json.dumps(summary))
    return 0 if len(accepted) == args.requests else 1


if __name__ == "__main__":
    sys.exit(main())
