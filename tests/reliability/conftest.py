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
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

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

    def restart_worker(self) -> None:
        self.worker.start()
        self.worker.wait_for_output("ready.", timeout=60)

    def logs(self) -> str:
        return "\n".join(f"--- {s.name} ---\n{s.tail(40)}" for s in (self.worker, self.beat, self.web))


@pytest.fixture
def stack(app, database_url: str, tmp_path: Path) -> Iterator[Stack]:
    """Everything running and ready; torn down (killed if need be) before `app` truncates the tables."""
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    redis = chaos.PrivateRedis(log_dir)
    smtp = chaos.FaultySmtp()
    port = chaos.free_port()
    env = chaos.service_env(DATABASE_URL=database_url, REDIS_URL=redis.url, MAIL_SERVER=smtp.host,
                            MAIL_PORT=str(smtp.port), INBOUND_WEBHOOK_SECRET=WEBHOOK_SECRET, **FAST_TIMINGS)
    stack = Stack(redis, smtp, chaos.web(env, log_dir, port), chaos.worker(env, log_dir), chaos.beat(env, log_dir),
                  f"http://127.0.0.1:{port}", log_dir)
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
