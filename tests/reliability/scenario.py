"""Shared pieces of the fault-injection scenarios: the fault thread, paced submissions, counting mail."""
from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

REFERENCE = re.compile(r"\[(Q-[0-9A-Z]{4}-[0-9A-Z]{4})\]")
NOTIFICATION = "] New "  # "[Q-...] New spine question", "URGENT [Q-...] New spine question"
ACK = "We received your question"
ANSWER = "] Answer to your question"


@dataclass
class Attempt:
    index: int
    reference: str | None = None
    accepted_at: float | None = None
    error: str | None = None


class Chaos(threading.Thread):
    """Runs the fault plan on its own clock; records what happened when."""

    def __init__(self, stack, plan: list[tuple[float, str]], start: float) -> None:
        super().__init__(daemon=True)
        self.stack, self.plan, self.start_at = stack, sorted(plan), start
        self.timeline: list[str] = []
        self.failure: BaseException | None = None
        self._cancelled = threading.Event()

    def note(self, text: str) -> None:
        self.timeline.append(f"{time.monotonic() - self.start_at:5.1f} s {text}")

    def run(self) -> None:
        try:
            for at, action in self.plan:
                if self._cancelled.wait(max(0.0, self.start_at + at - time.monotonic())):
                    return
                getattr(self, action)()
        except BaseException as exc:  # reported by the test, not lost in a thread
            self.failure = exc

    def kill_worker(self) -> None:
        cut_before = len(self.stack.sends_cut)
        self.stack.kill_worker()
        self.note(f"worker SIGKILLed (sends cut after the 250: {len(self.stack.sends_cut) - cut_before})")
        self.stack.restart_worker()
        self.note("worker restarted and ready")

    def redis_down(self) -> None:
        self.stack.redis.stop()
        self.note("redis down")

    def redis_up(self) -> None:
        self.stack.redis.start()
        self.note("redis up (empty: queued tasks lost)")

    def smtp_451(self) -> None:
        self.stack.smtp.refuse_for(15.0)
        self.note("smtp answers 451 for 15 s")

    def cancel(self) -> None:
        self._cancelled.set()


def paced(requests_: list[Callable[[requests.Session], requests.Response]], seconds: float,
          start: float) -> list[tuple[requests.Response | None, float, str | None]]:
    """Send the requests evenly spread over `seconds` from a small thread pool, like many patients would.

    Returns (response or None, monotonic time of the answer, error) per request, in order.
    """
    local = threading.local()

    def send(index: int):
        time.sleep(max(0.0, start + index * seconds / len(requests_) - time.monotonic()))  # pacing, not waiting
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        try:
            response = requests_[index](session)
        except requests.RequestException as exc:
            return None, time.monotonic(), type(exc).__name__
        return response, time.monotonic(), None

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(send, range(len(requests_))))


def submit_questions(base_url: str, questions: list[str], seconds: float, start: float) -> list[Attempt]:
    """POST /api/v1/questions for each question, paced over `seconds`."""

    def question(index: int):
        return lambda session: session.post(f"{base_url}/api/v1/questions", timeout=20, json={
            "name": f"Patient {index}", "email": f"patient{index}@example.com",
            "question": questions[index], "consent": True})

    attempts = []
    for index, (response, at, error) in enumerate(paced([question(i) for i in range(len(questions))], seconds,
                                                        start)):
        attempt = Attempt(index, error=error)
        if response is not None and response.status_code == 202:
            attempt.reference, attempt.accepted_at = response.json()["reference"], at
        elif response is not None:
            attempt.error = f"HTTP {response.status_code} {response.text[:120]}"
        attempts.append(attempt)
    return attempts


def by_reference(received, kind_text: str) -> Counter:
    """How many messages of one kind (a subject fragment) the sink holds per ticket reference."""
    counts: Counter = Counter()
    for mail in received:
        match = REFERENCE.search(mail.subject)
        if match and kind_text in mail.subject:
            counts[match.group(1)] += 1
    return counts


