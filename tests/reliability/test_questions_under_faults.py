"""300 questions while the worker is SIGKILLed twice, Redis is down 10 s and SMTP answers 451 for 15 s.

Every accepted question reaches its surgeon and its patient: nothing lost, counted at the SMTP
sink by Message-ID and by the `[Q-...]` reference in the subject. An email arrives twice only
when a kill landed inside its send (the sink answered 250, the worker died before its COMMIT):
the harness records each such send at the kill, and the copies must be exactly those, each
with the Message-ID of the first. Fault times are random within their windows (the seed is
printed; `CHAOS_SEED=n` replays a run).
"""
from __future__ import annotations

import os
import random
import statistics
import time
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select

from service.extensions import db
from service.tickets.models import OutboundEmail, Ticket
from tests.reliability import chaos
from tests.reliability.questions import mixed
from tests.reliability.scenario import ACK, NOTIFICATION, REFERENCE, Chaos, by_reference, submit_questions

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

SUBMISSIONS = 300
SUBMIT_SECONDS = 60.0


def fault_plan(rng: random.Random) -> list[tuple[float, str]]:
    redis_down = rng.uniform(18.0, 26.0)
    return [
        (rng.uniform(5.0, 16.0), "kill_worker"),
        (redis_down, "redis_down"),
        (redis_down + 10.0, "redis_up"),
        (rng.uniform(36.0, 42.0), "smtp_451"),
        (rng.uniform(44.0, 58.0), "kill_worker"),
    ]


def snapshot() -> tuple[int, int, int]:
    """(tickets still new, emails still queued, emails failed) as the database says now."""
    db.session.rollback()
    new = db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status == "new"))
    queued = db.session.scalar(select(func.count()).select_from(OutboundEmail).where(OutboundEmail.status == "queued"))
    failed = db.session.scalar(select(func.count()).select_from(OutboundEmail).where(OutboundEmail.status == "failed"))
    return new, queued, failed


def test_every_accepted_question_reaches_its_surgeon_exactly_once_through_kills_and_outages(
        stack, clinic_staff, report_figures):
    seed = int(os.environ.get("CHAOS_SEED") or time.time_ns() % 1_000_000)
    rng = random.Random(seed)
    questions = mixed(SUBMISSIONS)
    rng.shuffle(questions)
    start = time.monotonic()
    faults = Chaos(stack, fault_plan(rng), start)
    faults.start()
    attempts = submit_questions(stack.base_url, questions, SUBMIT_SECONDS, start)
    submitted_at = time.monotonic()
    faults.join(timeout=120)
    assert faults.failure is None, f"fault injection failed: {faults.failure!r}\n{stack.logs()}"

    accepted = {a.reference: a for a in attempts if a.reference}
    try:
        chaos.wait_while_progressing(lambda: snapshot()[:2] == (0, 0)
                                     and set(by_reference(stack.smtp.received, NOTIFICATION)) >= set(accepted)
                                     and set(by_reference(stack.smtp.received, ACK)) >= set(accepted),
                                     lambda: (snapshot(), len(stack.smtp.received)), "every accepted question's emails")
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
    duplicated = {message_id for message_id, n in by_message_id.items() if n > 1}
    copies = sum(n - 1 for n in by_message_id.values())
    message_ids_per_email = _message_ids_per_email(received)
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
        ("worker processes killed inside a send (250 in, COMMIT lost)", len(stack.sends_cut)),
        ("emails that arrived twice (same Message-ID)", copies),
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
    assert all(len(ids) == 1 for ids in message_ids_per_email.values()), "a resend carried a new Message-ID"
    assert duplicated == stack.sends_cut and copies == len(duplicated), \
        "emails arrived twice other than the sends a kill cut inside the window"
    assert set(tickets.values()) == {"assigned"}
    assert failed == 0 and sorted(by_message_id) == sorted(m for m, _ in rows), "sink and outbox rows differ"


def _message_ids_per_email(received) -> dict[tuple[str, str], set[str]]:
    """(reference, kind of email) -> the Message-IDs it arrived with."""
    ids: dict[tuple[str, str], set[str]] = defaultdict(set)
    for mail in received:
        match = REFERENCE.search(mail.subject)
        if match:
            kind = next((k for k in (NOTIFICATION, ACK) if k in mail.subject), mail.subject.split("]")[-1])
            ids[(match.group(1), kind)].add(mail.message_id)
    return ids


def _first_arrivals(received) -> dict[str, float]:
    first: dict[str, float] = {}
    for mail in received:
        match = REFERENCE.search(mail.subject)
        if match and NOTIFICATION in mail.subject:
            first.setdefault(match.group(1), mail.at)
    return first
