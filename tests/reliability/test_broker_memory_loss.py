"""Redis restarted empty during a burst, with production settings: nothing lost, nobody kept waiting.

A Redis without persistence forgets every queued task when it restarts. The relay finds its
marker gone and dispatches every undone event again at once, so no question waits for
OUTBOX_REDISPATCH_AFTER_SECONDS (15 minutes by default). The worker is frozen first, so a
backlog is certainly queued in Redis when it restarts; the figures print in the summary.
"""
from __future__ import annotations

import os
import random
import time
from collections import Counter

import pytest
import redis

from service.config import DEFAULT_QUEUE, URGENT_QUEUE
from tests.reliability import chaos
from tests.reliability.questions import RED_FLAGS, mixed
from tests.reliability.scenario import NOTIFICATION, REFERENCE, Chaos, submit_questions
from tests.reliability.test_questions_under_faults import snapshot

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

SUBMISSIONS = 150
SUBMIT_SECONDS = 30.0
URGENT_WITHIN = 60.0
OTHERS_WITHIN = 120.0


@pytest.fixture
def stack_timings() -> dict[str, str]:
    return {}  # the production defaults: relay every 5 s, stranded work re-dispatched after 15 minutes


class BrokerRestart(Chaos):
    lost_tasks = 0

    def freeze_worker(self) -> None:
        self.stack.worker.freeze()
        self.note("worker frozen")

    def restart_redis_empty(self) -> None:
        queued = redis.Redis.from_url(self.stack.redis.url)
        self.lost_tasks = queued.llen(DEFAULT_QUEUE) + queued.llen(URGENT_QUEUE)
        queued.close()
        self.stack.redis.stop()
        self.stack.redis.start()
        self.note(f"redis restarted empty ({self.lost_tasks} queued tasks forgotten)")

    def thaw_worker(self) -> None:
        self.stack.worker.thaw()
        self.note("worker thawed")


def test_a_broker_restarted_empty_delays_no_question_past_a_minute_urgent_or_two_others(
        stack, clinic_staff, report_figures):
    seed = int(os.environ.get("CHAOS_SEED") or time.time_ns() % 1_000_000)
    rng = random.Random(seed)
    questions = mixed(SUBMISSIONS)
    freeze_at = rng.uniform(6.0, 10.0)
    start = time.monotonic()
    faults = BrokerRestart(stack, [(freeze_at, "freeze_worker"), (freeze_at + 6.0, "restart_redis_empty"),
                                   (freeze_at + 8.0, "thaw_worker")], start)
    faults.start()
    attempts = submit_questions(stack.base_url, questions, SUBMIT_SECONDS, start)
    faults.join(timeout=60)
    assert faults.failure is None, f"fault injection failed: {faults.failure!r}\n{stack.logs()}"
    accepted = {a.reference: a for a in attempts if a.reference}
    urgent = {a.reference for a in attempts if a.reference and questions[a.index] in RED_FLAGS}
    chaos.wait_while_progressing(lambda: snapshot()[:2] == (0, 0) and set(_first_notifications(stack)) >= set(accepted),
                                 lambda: (snapshot(), len(stack.smtp.received)),
                                 "every accepted question's surgeon notification")

    waited = {ref: at - accepted[ref].accepted_at for ref, at in _first_notifications(stack).items()
              if ref in accepted}
    copies = sum(n - 1 for n in Counter(mail.message_id for mail in stack.smtp.received).values())
    slowest_urgent = max((waited[r] for r in urgent), default=0.0)
    slowest_other = max((w for r, w in waited.items() if r not in urgent), default=0.0)
    report_figures(f"Scenario C: Redis restarted empty during a burst, default settings (seed {seed})", [
        ("accepted (202)", len(accepted)),
        ("queued tasks the restart forgot", faults.lost_tasks),
        ("surgeon notifications delivered", len(waited)),
        ("slowest urgent question, submit to surgeon mail", f"{slowest_urgent:.1f} s"),
        ("slowest other question, submit to surgeon mail", f"{slowest_other:.1f} s"),
        ("emails that arrived twice", copies),
        ("faults", "; ".join(faults.timeline)),
    ])

    assert len(accepted) == SUBMISSIONS, [a.error for a in attempts if a.error]
    assert urgent and faults.lost_tasks > 0, "the restart forgot no queued work: the scenario proved nothing"
    assert set(waited) == set(accepted)
    assert slowest_urgent <= URGENT_WITHIN and slowest_other <= OTHERS_WITHIN
    assert copies == 0  # no worker died inside a send here


def _first_notifications(stack) -> dict[str, float]:
    first: dict[str, float] = {}
    for mail in stack.smtp.received:
        match = REFERENCE.search(mail.subject)
        if match and NOTIFICATION in mail.subject:
            first.setdefault(match.group(1), mail.at)
    return first
