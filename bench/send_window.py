"""The duplicate-email window, measured: SIGKILL a sending worker at random moments, 1,000 times.

    .venv/bin/python bench/send_window.py                 # 1,000 kills, prints a table
    .venv/bin/python bench/send_window.py --kills 200     # a quicker look

An email goes out at most once per worker death inside its send window: the SMTP server has
answered 250 but the worker died before the COMMIT that marks the row `sent`, so a later
attempt sends it again, with the same Message-ID. This benchmark runs the real sending code
(`service.mail.outbound.deliver`) against PostgreSQL and an aiosmtpd sink:

1. Window length: the time from the sink recording a message (just before its 250 goes out)
   to the worker's COMMIT returning, over a run of sends without kills.
2. Kills: a forked sender delivers queued emails one after another; the parent SIGKILLs it
   after a random 5-150 ms, waits until its database session and SMTP connection are gone,
   and counts the messages the sink accepted whose row is not `sent` (cut inside the window).
   The next sender resends them as the relay would, and the sink's copies are counted.

Duplicates per 1,000 kills ~ 1,000 x window / time per send when kills land during sending.
The figures depend on how far the SMTP server is: see the README's "Exactly once" section.
"""
from __future__ import annotations

import argparse
import email
import os
import random
import signal
import socket
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from email.policy import default as default_policy
from pathlib import Path

from sqlalchemy import create_engine, event, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
APPLICATION_NAME = "neurodesk-send-window"


class Sink:
    """aiosmtpd in a thread: when each Message-ID was accepted, and how many open connections."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import SMTP

        sink = self
        self.accepted: list[tuple[str, float]] = []
        self.open = 0
        self.lock = threading.Lock()

        class Handler:
            async def handle_DATA(self, server, session, envelope) -> str:
                message = email.message_from_bytes(envelope.content, policy=default_policy)
                with sink.lock:
                    sink.accepted.append((str(message["Message-ID"]), time.monotonic()))
                return "250 2.0.0 OK queued"

        class Counting(SMTP):
            def connection_made(self, transport) -> None:
                super().connection_made(transport)
                with sink.lock:
                    sink.open += 1

            def connection_lost(self, error) -> None:
                super().connection_lost(error)
                with sink.lock:
                    sink.open -= 1

        class Server(Controller):
            def factory(self):
                return Counting(self.handler, **self.SMTP_kwargs)

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Server(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(message_id for message_id, _ in self.accepted)


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.001)


def make_database() -> tuple[str, object]:
    name = f"neurodesk_send_window_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", admin


def build_app(database_url: str, sink_port: int):
    from service import create_app

    return create_app({
        "TESTING": False, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": sink_port, "MAIL_SUPPRESS_SEND": False,
        "RATELIMIT_ENABLED": False, "REDIS_URL": None,
    })


BODY = ("Dear Pat,\n\nWe received your question about the pain in your lower back and leg. "
        "A neurosurgeon will read it and answer by email.\n\n") * 8  # about a patient email's size


def queue_emails(database_url: str, count: int) -> None:
    """Queued rows as the triage task leaves them, written in one statement."""
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO outbound_email (idempotency_key, kind, to_addr, subject, text_body, html_body, headers,"
            " message_id, status, attempts, created_at)"
            " SELECT 'bench:' || n || ':' || :run, 'patient_acknowledgement', 'Pat <pat' || n || '@example.test>',"
            " '[Q-BNCH-0000] We received your question', :body, '<p>' || :body || '</p>',"
            " '{\"Auto-Submitted\": \"auto-generated\"}', '<bench.' || n || '.' || :run || '@neurodesk.test>',"
            " 'queued', 0, now() FROM generate_series(1, :count) AS n"),
            {"run": uuid.uuid4().hex[:8], "body": BODY, "count": count})
    engine.dispose()


def send_forever(app) -> None:
    """In a forked child: deliver queued emails, oldest first, until killed."""
    from service.extensions import db
    from service.mail import outbound

    with app.app_context():
        db.engine.dispose(close=False)  # the parent's pooled connections are not ours to use
        while True:
            email_id = db.session.execute(
                text("SELECT id FROM outbound_email WHERE status = 'queued' ORDER BY id LIMIT 1")).scalar()
            db.session.rollback()
            if email_id is None:
                os._exit(0)
            outbound.deliver(email_id)


def window_lengths(app, database_url: str, sink: Sink, sends: int) -> tuple[list[float], list[float], float]:
    """Per send, ms from the sink's acceptance to the worker issuing COMMIT (after that the database
    commits even if the worker dies) and to the COMMIT returning; and the mean ms per send."""
    from service.extensions import db
    from service.mail import outbound

    queue_emails(database_url, sends)
    issued: list[float] = []
    issued_for_send: list[float] = []
    returned: list[float] = []
    with app.app_context():
        engine = db.engine
        on_commit = lambda conn: issued.append(time.monotonic())  # noqa: E731
        event.listen(engine, "commit", on_commit)
        ids = db.session.execute(text("SELECT id FROM outbound_email WHERE status = 'queued' ORDER BY id")).scalars().all()
        db.session.rollback()
        before = len(sink.accepted)
        started = time.monotonic()
        for email_id in ids:
            issued.clear()
            outbound.deliver(email_id)
            returned.append(time.monotonic())
            issued_for_send.append(issued[-1])
        elapsed = time.monotonic() - started
        event.remove(engine, "commit", on_commit)
        db.session.remove()  # return the session's connection first, or dispose() leaves it open
        db.engine.dispose()  # the kill loop waits for every session of this application name to end
    accepted = [at for _, at in sink.accepted[before:]]
    return ([(commit - at) * 1000 for at, commit in zip(accepted, issued_for_send)],
            [(commit - at) * 1000 for at, commit in zip(accepted, returned)], elapsed * 1000 / len(ids))


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--window-sends", type=int, default=500)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    sink = Sink()
    database_url, admin = make_database()
    try:
        app = build_app(f"{database_url}?application_name={APPLICATION_NAME}", sink.port)
        with app.app_context():
            from flask_migrate import upgrade

            from service.extensions import db
            upgrade(directory=str(REPO / "migrations"))
            db.engine.dispose()

        windows, to_commit_returned, per_send_ms = window_lengths(app, database_url, sink, args.window_sends)
        print(f"window over {len(windows)} sends (250 to COMMIT issued): p50 {statistics.median(windows):.3f} ms, "
              f"p95 {p95(windows):.3f} ms, max {max(windows):.3f} ms; to COMMIT returned: "
              f"p50 {statistics.median(to_commit_returned):.3f} ms; {per_send_ms:.2f} ms per send", flush=True)

        observer = create_engine(database_url, pool_size=1, isolation_level="AUTOCOMMIT")  # pg_stat_activity is a per-transaction snapshot
        queue_emails(database_url, args.kills * 30)
        cut_total, kills_while_sending = 0, 0
        cut_ids: set[str] = set()
        started = time.monotonic()
        for kill in range(args.kills):
            sent_before = len(sink.accepted)
            child = os.fork()
            if child == 0:
                try:
                    send_forever(app)
                finally:
                    os._exit(0)
            time.sleep(rng.uniform(0.005, 0.150))
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            wait_until(lambda: sink.open == 0, 10, "the killed sender's SMTP connection to close")
            with observer.connect() as conn:
                wait_until(lambda: conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": APPLICATION_NAME}).scalar_one() == 0, 10, "the killed sender's session to end")
                accepted = sorted({message_id for message_id, _ in sink.accepted})
                cut = set(conn.execute(text(
                    "SELECT message_id FROM outbound_email WHERE status <> 'sent' AND message_id = ANY(:ids)"),
                    {"ids": accepted}).scalars())
            kills_while_sending += len(sink.accepted) > sent_before
            cut_total += len(cut - cut_ids)
            cut_ids |= cut
            if (kill + 1) % 100 == 0:
                print(f"  {kill + 1} kills, {cut_total} sends cut, {time.monotonic() - started:.0f} s", flush=True)
        # One last sender resends what the last kills cut, as the relay would.
        child = os.fork()
        if child == 0:
            send_forever(app)
        wait_until(lambda: not (set(cut_ids) - {m for m, n in sink.message_ids().items() if n > 1}), 30,
                   "the cut sends to be resent")
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        copies = sum(n - 1 for n in sink.message_ids().values())
        observer.dispose()
    finally:
        from service.extensions import db

        with app.app_context():
            db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database_url.rsplit("/", 1)[1]}" WITH (FORCE)'))
        sink.controller.stop()

    p50 = statistics.median(windows)
    print()
    print(f"| kills | kills while sending | sends cut inside the window | copies at the sink | "
          f"per 1,000 kills | window p50 / p95 | time per send |")
    print(f"| {args.kills} | {kills_while_sending} | {cut_total} | {copies} | "
          f"{1000 * copies / args.kills:.1f} | {p50:.3f} / {p95(windows):.3f} ms | "
          f"{per_send_ms:.2f} ms |")
    print(f"expected from the window alone: ~{1000 * p50 / per_send_ms:.1f} per 1,000 kills landing while sending")
    if copies != cut_total:
        raise SystemExit(f"copies at the sink ({copies}) differ from sends cut ({cut_total})")


if __name__ == "__main__":
    main()
