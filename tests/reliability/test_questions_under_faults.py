"""300 questions while the worker is SIGKILLed twice, Redis is down 10 s and SMTP answers 451 for 15 s.

Every accepted question reaches its surgeon exactly once and its patient is acknowledged
exactly once: nothing lost, nothing duplicated, counted at the SMTP sink by Message-ID and by
the `[Q-...]` reference in the subject. Fault times are random within their windows (the
seed is printed; `CHAOS_SEED=n` replays a run).
"""
from __future__ import annotations

import os
import random
import re
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import func, select

from service.extensions import db
from service.tickets.models import OutboundEmail, Ticket
from tests.reliability import chaos
from tests.reliability.questions import mixed

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

SUBMISSIONS = 300
SUBMIT_SECONDS = 60.0
DELIVERY_DEADLINE = 100.0  # after the last submission
REFERENCE = re.compile(r"\[(Q-[0-9A-Z]{4}-[0-9A-Z]{4})\]")
NOTIFICATION = "] New "  # "[Q-...] New spine question", "URGENT [Q-...] New spine question"
ACK = "We received your question"


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
        self.stack.worker.kill()
        self.note("worker SIGKILLed")
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


def fault_plan(rng: random.Random) -> list[tuple[float, str]]:
    redis_down = rng.uniform(18.0, 26.0)
    return [
        (rng.uniform(5.0, 16.0), "kill_worker"),
        (redis_down, "redis_down"),
        (redis_down + 10.0, "redis_up"),
        (rng.uniform(36.0, 42.0), "smtp_451"),
        (rng.uniform(44.0, 58.0), "kill_worker"),
    ]


def submit_all(base_url: str, questions: list[str], start: float) -> list[Attempt]:
    local = threading.local()

    def submit(index: int) -> Attempt:
        attempt = Attempt(index)
        time.sleep(max(0.0, start + index * SUBMIT_SECONDS / len(questions) - time.monotonic()))  # pacing
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        try:
            response = session.post(f"{base_url}/api/v1/questions", timeout=20, json={
                "name": f"Patient {index}", "email": f"patient{index}@example.com",
                "question": questions[index], "consent": True})
        except requests.RequestException as exc:
            attempt.error = type(exc).__name__
            return attempt
        if response.status_code == 202:
            attempt.reference, attempt.accepted_at = response.json()["reference"], time.monotonic()
        else:
            attempt.error = f"HTTP {response.status_code} {response.text[:120]}"
        return attempt

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(submit, range(len(questions))))


def snapshot() -> tuple[int, int, int]:
    """(tickets still new, emails still queued, emails failed) as the database says now."""
    db.session.rollback()
    new = db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status == "new"))
    queued = db.session.scalar(select(func.count()).select_from(OutboundEmail).where(OutboundEmail.status == "queued"))
    failed = db.session.scalar(select(func.count()).select_from(OutboundEmail).where(OutboundEmail.status == "failed"))
    return new, queued, failed


def by_reference(received, kind_text: str) -> Counter:
    counts: Counter = Counter()
    for mail in received:
        match = REFERENCE.search(mail.subject)
        if match and kind_text in mail.subject:
            counts[match.group(1)] += 1
    return counts


def test_every_accepted_question_reaches_its_surgeon_exactly_once_through_kills_and_outages(
        stack, clinic_staff, report_figures):
    seed = int(os.environ.get("CHAOS_SEED") or time.time_ns() % 1_000_000)
    rng = random.Random(seed)
    questions = mixed(SUBMISSIONS)
    rng.shuffle(questions)
    start = time.monotonic()
    faults = Chaos(stack, fault_plan(rng), start)
    faults.start()
    attempts = submit_all(stack.base_url, questions, start)
    submitted_at = time.monotonic()
    faults.join(timeout=120)
    assert faults.failure is None, f"fault injection failed: {faults.failure!r}\n{stack.logs()}"

    accepted = {a.reference: a for a in attempts if a.reference}
    try:
        chaos.wait_until(lambda: snapshot()[:2] == (0, 0)
                         and set(by_reference(stack.smtp.received, NOTIFICATION)) >= set(accepted)
                         and set(by_reference(stack.smtp.received, ACK)) >= set(accepted),
                         DELIVERY_DEADLINE, "every accepted question's emails", poll=0.5)
        settled = True
    except AssertionError:
        settled = False
    finished_at = time.monotonic()

    received = stack.smtp.received
    notifications = by_reference(received, NOTIFICATION)
    acks = by_reference(received, ACK)
    db.session.rollback()
    tickets = dict(db.session.execute(select(Ticket.reference, Ticket.status)).all())
    rows = db.session.execute(select(OutboundEmail.message_id, OutboundEmail.status)).all()
    new, queued, failed = snapshot()
    by_message_id = Counter(mail.message_id for mail in received)
    lost = sorted(r for r in accepted if notifications[r] == 0)
    lost_acks = sorted(r for r in accepted if acks[r] == 0)
    duplicated = sum(n - 1 for n in by_message_id.values() if n > 1)
    duplicated_by_subject = sum(n - 1 for counts in (notifications, acks) for n in counts.values() if n > 1)
    latencies = sorted(received_at - accepted[ref].accepted_at
                       for ref, received_at in _first_arrivals(received).items() if ref in accepted)
    report_figures(f"Scenario A: questions under faults (seed {seed})", [
        ("submitted", len(attempts)),
        ("accepted (202)", len(accepted)),
        ("refused by the web", Counter(a.error for a in attempts if a.error) or 0),
        ("tickets in the database", len(tickets)),
        ("surgeon notifications delivered", sum(1 for r in accepted if notifications[r])),
        ("patient acknowledgements delivered", sum(1 for r in accepted if acks[r])),
        ("emails at the sink (incl. red-flag alerts)", len(received)),
        ("lost (no surgeon notification)", len(lost)),
        ("duplicated (same Message-ID twice)", duplicated),
        ("duplicated (same reference and kind twice)", duplicated_by_subject),
        ("SMTP attempts / answered 451", f"{stack.smtp.handler.attempts} / {stack.smtp.handler.refused}"),
        ("submit-to-surgeon-mail latency p50 / max",
         f"{statistics.median(latencies):.1f} s / {latencies[-1]:.1f} s" if latencies else "n/a"),
        ("wall time (submit + drain)", f"{submitted_at - start:.0f} s + {finished_at - submitted_at:.0f} s"),
        ("faults", "; ".join(faults.timeline)),
    ])

    assert not [a for a in attempts if a.error], "the web refused submissions while a fault was on"
    assert set(tickets) == set(accepted), "accepted references and tickets in the database differ"
    assert settled, f"not drained: new={new} queued={queued} failed={failed}\n{stack.logs()}"
    assert (lost, lost_acks) == ([], []), "accepted questions whose email never arrived"
    assert duplicated == 0 and duplicated_by_subject == 0, "an email reached its recipient twice"
    assert all(notifications[r] == 1 and acks[r] == 1 for r in accepted)
    assert set(tickets.values()) == {"assigned"}
    assert failed == 0 and sorted(by_message_id) == sorted(m for m, _ in rows), "sink and outbox rows differ"


def _first_arrivals(received) -> dict[str, float]:
    first: dict[str, float] = {}
    for mail in received:
        match = REFERENCE.search(mail.subject)
        if match and NOTIFICATION in mail.subject:
            first.setdefault(match.group(1), mail.at)
    return first
