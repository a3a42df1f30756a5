"""50 surgeon replies posted to the webhook while the worker is SIGKILLed twice: every patient answered.

The tickets come through the real pipeline (intake, triage, notification by SMTP); each reply
is what Gmail sends when the surgeon presses Reply on the notification row: its Reply-To
(the signed reply address), its Message-ID in In-Reply-To, quoted history and a signature.
Replaying bodies the webhook already took answers `duplicate` and mails nobody. An answer
arrives twice only when a kill landed inside its send (250 in, COMMIT lost), with the same
Message-ID both times.
"""
from __future__ import annotations

import os
import random
import statistics
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from service.extensions import db
from service.mail.addresses import mailbox
from service.mail.inbound.models import InboundMessage
from service.mail.inbound.signature import compute_signature
from service.staff.models import Staff
from service.tickets.models import OutboundEmail, Ticket
from tests.inbound.mails import ANSWER, reply_to_row
from tests.reliability import chaos
from tests.reliability.conftest import WEBHOOK_SECRET
from tests.reliability.questions import mixed
from tests.reliability.scenario import ANSWER as ANSWER_SUBJECT
from tests.reliability.scenario import NOTIFICATION, Chaos, by_reference, paced, submit_questions

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

TICKETS = 50
POST_SECONDS = 20.0
REPLAYS = 10


def pending() -> tuple[int, int]:
    """(inbound replies not processed yet, emails still queued)."""
    db.session.rollback()
    inbound = db.session.scalar(select(func.count()).select_from(InboundMessage)
                                .where(InboundMessage.status == "pending"))
    queued = db.session.scalar(select(func.count()).select_from(OutboundEmail).where(OutboundEmail.status == "queued"))
    return inbound, queued


def assigned_tickets(stack) -> dict[str, bytes]:
    """Ask TICKETS questions through the API, wait for their notifications, write each surgeon's reply."""
    attempts = submit_questions(stack.base_url, mixed(TICKETS), 10.0, time.monotonic())
    references = {a.reference for a in attempts if a.reference}
    assert len(references) == TICKETS, [a.error for a in attempts if a.error]
    chaos.wait_while_progressing(lambda: set(by_reference(stack.smtp.received, NOTIFICATION)) >= references
                                 and pending() == (0, 0), lambda: (pending(), len(stack.smtp.received)),
                                 "the notifications of the seeded tickets")
    db.session.rollback()
    rows = db.session.execute(
        select(OutboundEmail, Ticket.reference, Staff)
        .join(Ticket, OutboundEmail.ticket_id == Ticket.id)
        .join(Staff, Ticket.assignee_id == Staff.id)
        .where(OutboundEmail.kind == "surgeon_notification")
    ).all()
    return {reference: reply_to_row(row, sent_from=mailbox(surgeon.name, surgeon.email))
            for row, reference, surgeon in rows}


def post_reply(base_url: str, raw: bytes):
    return lambda session: session.post(f"{base_url}/inbound/email", data=raw, timeout=20, headers={
        "Content-Type": "message/rfc822", "X-Neurodesk-Signature": compute_signature(raw, WEBHOOK_SECRET)})


def test_each_patient_gets_exactly_one_answer_while_the_worker_is_killed(stack, clinic_staff, report_figures):
    seed = int(os.environ.get("CHAOS_SEED") or time.time_ns() % 1_000_000)
    rng = random.Random(seed)
    replies = assigned_tickets(stack)
    assert len(replies) == TICKETS
    references = sorted(replies)
    rng.shuffle(references)
    answers_before = len(by_reference(stack.smtp.received, ANSWER_SUBJECT))

    start = time.monotonic()
    faults = Chaos(stack, [(rng.uniform(2.0, 9.0), "kill_worker"), (rng.uniform(11.0, 18.0), "kill_worker")], start)
    faults.start()
    results = dict(zip(references, paced([post_reply(stack.base_url, replies[r]) for r in references],
                                         POST_SECONDS, start)))
    posted_at = time.monotonic()
    faults.join(timeout=120)
    assert faults.failure is None, f"fault injection failed: {faults.failure!r}\n{stack.logs()}"
    statuses = Counter(r.json()["status"] if r is not None and r.status_code == 202 else f"error {e or r.status_code}"
                       for r, _, e in results.values())
    try:
        chaos.wait_while_progressing(lambda: pending() == (0, 0)
                                     and set(by_reference(stack.smtp.received, ANSWER_SUBJECT)) >= set(references),
                                     lambda: (pending(), len(stack.smtp.received)), "every patient's answer")
        settled = True
    except AssertionError:
        settled = False
    finished_at = time.monotonic()

    replayed = rng.sample(references, REPLAYS)
    replay_statuses = Counter(response.json()["status"] if response is not None else error
                              for response, _, error in paced([post_reply(stack.base_url, replies[r])
                                                               for r in replayed], 1.0, time.monotonic()))
    inbound_after_replay, queued_after_replay = pending()

    received = stack.smtp.received
    answers = by_reference(received, ANSWER_SUBJECT)
    answer_mails = [m for m in received if ANSWER_SUBJECT in m.subject]
    by_message_id = Counter(m.message_id for m in answer_mails)
    db.session.rollback()
    inbound = Counter(db.session.execute(select(InboundMessage.status)).scalars())
    tickets = dict(db.session.execute(select(Ticket.reference, Ticket.status)).all())
    patients = dict(db.session.execute(select(Ticket.reference, Ticket.patient_email)).all())
    answer_rows = db.session.scalar(select(func.count()).select_from(OutboundEmail)
                                    .where(OutboundEmail.kind == "surgeon_answer"))
    lost = [r for r in references if answers[r] == 0]
    duplicated = {message_id for message_id, n in by_message_id.items() if n > 1}
    copies = sum(n - 1 for n in by_message_id.values())
    latencies = sorted(m.at - results[ref][1] for ref, m in _first_answers(answer_mails).items())
    report_figures(f"Scenario B: surgeon replies while the worker dies (seed {seed})", [
        ("replies posted", len(results)),
        ("webhook answers", dict(statuses)),
        ("patients answered", sum(1 for r in references if answers[r])),
        ("lost (no answer)", len(lost)),
        ("worker processes killed inside a send (250 in, COMMIT lost)", len(stack.sends_cut)),
        ("answers that arrived twice (same Message-ID)", copies),
        ("replays of accepted bodies", dict(replay_statuses)),
        ("inbound rows by status", dict(inbound)),
        ("post-to-answer latency p50 / max",
         f"{statistics.median(latencies):.1f} s / {latencies[-1]:.1f} s" if latencies else "n/a"),
        ("wall time (post + drain)", f"{posted_at - start:.0f} s + {finished_at - posted_at:.0f} s"),
        ("faults", "; ".join(faults.timeline)),
    ])

    assert answers_before == 0
    assert statuses == {"accepted": TICKETS}, "the webhook refused or lost replies while the worker died"
    assert settled, f"not drained: (pending inbound, queued emails) = {pending()}\n{stack.logs()}"
    assert lost == [], "patients whose answer never arrived"
    assert len(by_message_id) == TICKETS, "an answer was resent with a new Message-ID"
    assert duplicated == stack.sends_cut and copies == len(duplicated), \
        "answers arrived twice other than the sends a kill cut inside the window"
    assert replay_statuses == {"duplicate": REPLAYS}
    assert (inbound_after_replay, queued_after_replay) == (0, 0) and answer_rows == TICKETS, \
        "a replayed body created work"
    assert inbound == {"forwarded": TICKETS}
    assert set(tickets.values()) == {"answered"}
    for mail in answer_mails:
        reference = mail.subject.split("[", 1)[1].split("]", 1)[0]
        body = mail.message.get_body(("plain",)).get_content()
        assert patients[reference] in mail.message["To"] and ANSWER.splitlines()[0] in body
        assert "Consultant" not in body and "> " not in body  # signature and quoted history stripped


def _first_answers(answer_mails):
    first = {}
    for mail in answer_mails:
        first.setdefault(mail.subject.split("[", 1)[1].split("]", 1)[0], mail)
    return first
