"""Fault-injection fixtures: the production processes of one scenario, and the figures they print.

Each scenario gets a private Redis, a faulty SMTP sink, gunicorn serving `service.wsgi:app`,
a prefork Celery worker and Celery beat, all against the session's PostgreSQL database (the
`app` fixture truncates every table afterwards). Timing knobs are shortened through the same
environment variables an operator would set, so the processes run production code paths.

The figures table of each scenario is printed at the end of the pytest run (terminal summary),
so CI logs show it without `-s`.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, create_engine, text

from tests.reliability import chaos

_FIGURES: list[tuple[str, list[tuple[str, object]]]] = []

# Compressed versions of the production timings (see service/config.py for what each means).
# MAIL_RETRY_BASE_SECONDS=4 keeps the shortest possible run of 8 retries (8 x base/2 = 16 s)
# longer than the 15 s SMTP outage, as the production base of 2 s with a 600 s cap does by far.
FAST_TIMINGS = {
    "OUTBOX_RELAY_INTERVAL_SECONDS": "1",
    "OUTBOX_RELAY_AFTER_SECONDS": "2",
    "OUTBOX_REDISPATCH_AFTER_SECONDS": "30",
    "MAIL_RETRY_BASE_SECONDS": "4",
    "MAIL_RETRY_MAX_SECONDS": "8",
}
WEBHOOK_SECRET = "reliability-webhook-secret"
# The worker's database sessions carry this name, so a kill can wait for them to end.
WORKER_APPLICATION_NAME = "neurodesk-chaos-worker"


@pytest.fixture
def db_backend() -> str:
    return "postgres"  # worker, beat and web processes share the database with the test


@dataclass
class Stack:
    redis: chaos.PrivateRedis
    smtp: chaos.FaultySmtp
    web: chaos.Service
    worker: chaos.Service
    beat: chaos.Service
    base_url: str
    log_dir: Path
    database: Engine
    # Message-IDs the sink accepted from a worker that was then killed before its COMMIT marked
    # them sent: the only emails that may, and will, arrive twice.
    sends_cut: set[str] = field(default_factory=set)
    kills_inside_a_send: int = 0

    def restart_worker(self) -> None:
        self.worker.start()
        self.worker.wait_for_output("ready.", timeout=180)  # a loaded machine starts Celery slowly

    def kill_worker(self) -> None:
        """SIGKILL the worker group and record which sends it cut inside the window, before a restart."""
        self.worker.kill()
        # Its database sessions end (rolling back) and its SMTP connections close with its sockets;
        # after that nobody sends until the restart, so what the sink holds and the rows say is final.
        chaos.wait_until(lambda: self._worker_sessions() == 0, 30, "the killed worker's database sessions to end")
        chaos.wait_until(lambda: self.smtp.open_connections == 0, 30, "the killed worker's SMTP connections to close")
        accepted = sorted({mail.message_id for mail in self.smtp.received})
        with self.database.connect() as conn:
            cut = set(conn.execute(text(
                "SELECT message_id FROM outbound_email WHERE status <> 'sent' AND message_id = ANY(:accepted)"),
                {"accepted": accepted}).scalars())
        if cut - self.sends_cut:
            self.kills_inside_a_send += 1
        self.sends_cut |= cut

    def _worker_sessions(self) -> int:
        with self.database.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                                {"name": WORKER_APPLICATION_NAME}).scalar_one()

    def logs(self) -> str:
        return "\n".join(f"--- {s.name} ---\n{s.tail(40)}" for s in (self.worker, self.beat, self.web))


@pytest.fixture
def stack_timings() -> dict[str, str]:
    """Override in a scenario to run with other settings (an empty dict: production defaults)."""
    return FAST_TIMINGS


@pytest.fixture
def stack(app, database_url: str, tmp_path: Path, stack_timings: dict[str, str]) -> Iterator[Stack]:
    """Everything running and ready; torn down (killed if need be) before `app` truncates the tables."""
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    redis = chaos.PrivateRedis(log_dir)
    smtp = chaos.FaultySmtp()
    port = chaos.free_port()
    env = chaos.service_env(DATABASE_URL=database_url, REDIS_URL=redis.url, MAIL_SERVER=smtp.host,
                            MAIL_PORT=str(smtp.port), INBOUND_WEBHOOK_SECRET=WEBHOOK_SECRET,
                            **stack_timings)
    worker_env = {**env, "DATABASE_URL": f"{database_url}?application_name={WORKER_APPLICATION_NAME}"}
    database = create_engine(database_url, pool_size=1)
    stack = Stack(redis, smtp, chaos.web(env, log_dir, port), chaos.worker(worker_env, log_dir),
                  chaos.beat(env, log_dir), f"http://127.0.0.1:{port}", log_dir, database)
    started: list[chaos.Service] = []
    try:
        redis.start()
        smtp.start()
        for service in (stack.web, stack.worker, stack.beat):
            started.append(service.start())
        stack.worker.wait_for_output("ready.", timeout=90)
        stack.beat.wait_for_output("beat: Starting", timeout=60)
        chaos.wait_until(lambda: _answers(f"{stack.base_url}/robots.txt"), 60, "gunicorn to answer")
        yield stack
    finally:
        for service in reversed(started):
            service.stop()
        redis.service.stop()
        smtp.stop()
        database.dispose()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def clinic_staff(make_staff) -> dict[str, object]:
    """Surgeons for every topic (two for spine, the busiest) and a coordinator for red-flag alerts."""
    return {
        "spine": make_staff("spine.a@clinic.test", name="Dr Sam Spine", role="surgeon", specialties=("spine",)),
        "spine2": make_staff("spine.b@clinic.test", name="Dr Sara Disc", role="surgeon", specialties=("spine",)),
        "brain": make_staff("brain@clinic.test", name="Dr Bea Brain", role="surgeon", specialties=("brain",)),
        "tos": make_staff("tos@clinic.test", name="Dr Tom Outlet", role="surgeon", specialties=("tos",)),
        "coordinator": make_staff("coord@clinic.test", name="Cora Ord", role="coordinator", specialties=()),
    }


@pytest.fixture
def report_figures():
    """report_figures(title, [(label, value), ...]): print now and again in the terminal summary."""

    def record(title: str, rows: list[tuple[str, object]]) -> None:
        _FIGURES.append((title, rows))
        print("\n".join(_format(title, rows)))

    return record


def _format(title: str, rows: list[tuple[str, object]]) -> list[str]:
    width = max(len(label) for label, _ in rows)
    return [title] + [f"  {label:<{width}}  {value}" for label, value in rows]


def pytest_terminal_summary(terminalreporter) -> None:
    if not _FIGURES:
        return
    terminalreporter.write_sep("=", "fault injection figures")
    for title, rows in _FIGURES:
        for line in _format(title, rows):
            terminalreporter.write_line(line)
