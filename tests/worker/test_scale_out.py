"""Scale-out: two web processes and two Celery workers on one Redis and one PostgreSQL database.

Questions go to both web processes at once; some are taken while the broker is unreachable
(a third "host" with a dead broker URL), so only the outbox relay can hand them over, and the
relay runs as two beats at the same moment. Whatever the interleaving, every ticket is routed
once and every email reaches the SMTP server once.
"""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from flask import current_app
from sqlalchemy import func, select

from service import create_app
from service.extensions import db
from service.tickets import outbox
from service.tickets.models import Message, OutboundEmail, OutboxEvent, Ticket
from tests.conftest import base_config
from tests.fixtures.smtp import free_port, smtp_server  # noqa: F401
from tests.fixtures.worker import REPO, start_worker, worker_env  # noqa: F401
from tests.tickets.conftest import celery_config

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

QUESTIONS = [
    "My lower back hurts and the sciatica goes down my left leg. Would a discectomy help?",
    "I was told I have a meningioma on my MRI. Does it always need an operation?",
    "After my first rib resection for thoracic outlet syndrome, when can I lift my toddler again?",
]
N_WEB = 60  # through the two web processes
N_BROKER_DOWN = 6  # taken while the broker was unreachable: only the relay can hand these over


@pytest.fixture
def db_backend() -> str:
    return "postgres"  # several processes share one database


@pytest.fixture
def settings(database_url, redis_url, smtp_server) -> dict[str, str]:  # noqa: F811
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "MAIL_SERVER": smtp_server.host,
            "MAIL_PORT": str(smtp_server.port)}


@pytest.fixture
def app_config(redis_url, smtp_server):  # noqa: F811
    # The test's own app plays beat: it runs the relay against the shared database and broker.
    return {"CELERY": celery_config(redis_url), "REDIS_URL": redis_url, "MAIL_SERVER": smtp_server.host,
            "MAIL_PORT": smtp_server.port, "MAIL_SUPPRESS_SEND": False,
            "OUTBOX_RELAY_AFTER_SECONDS": 0, "OUTBOX_REDISPATCH_AFTER_SECONDS": 60}


@pytest.fixture
def web_processes(settings, tmp_path):
    """Two `gunicorn service.wsgi:app -c gunicorn.conf.py` processes (1 worker x 4 threads each)."""
    processes, ports = [], []
    for n in range(2):
        port = free_port()
        env = worker_env(**settings, PORT=str(port), WEB_CONCURRENCY="1", GUNICORN_THREADS="4")
        log = open(tmp_path / f"web{n}.log", "wb")
        processes.append(subprocess.Popen([sys.executable, "-m", "gunicorn", "service.wsgi:app", "-c", "gunicorn.conf.py"],
                                          cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT))
        ports.append(port)
    try:
        for port, process in zip(ports, processes):
            wait_for_http(f"http://127.0.0.1:{port}/healthz", process, tmp_path)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def wait_for_http(url: str, process: subprocess.Popen, logs: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            requests.get(url, timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    output = "\n".join(p.read_text(errors="replace")[-3000:] for p in logs.glob("web*.log"))
    raise AssertionError(f"web process never answered {url}:\n{output}")


@pytest.fixture
def staff(make_staff):
    return [
        make_staff("spine@clinic.test", name="Dr Spine", specialties=("spine",)),
        make_staff("brain@clinic.test", name="Dr Brain", specialties=("brain",)),
        make_staff("tos@clinic.test", name="Dr Outlet", specialties=("tos",)),
    ]


def question(n: int) -> dict[str, object]:
    return {"name": f"Patient {n}", "email": f"patient{n}@example.com", "question": QUESTIONS[n % len(QUESTIONS)],
            "consent": True}


def test_two_webs_two_workers_route_every_ticket_once_and_mail_once(
        staff, web_processes, start_worker, settings, smtp_server, database_url):  # noqa: F811
    for _ in range(2):
        start_worker(**settings)

    def submit(n: int) -> str:
        response = requests.post(f"{web_processes[n % 2]}/api/v1/questions", json=question(n), timeout=30)
        assert response.status_code == 202, response.text
        return response.json()["reference"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        references = list(pool.map(submit, range(N_WEB)))

    # A third web host whose broker is unreachable: its submissions succeed, their events wait.
    broker_down = create_app(base_config(database_url, CELERY=celery_config("redis://127.0.0.1:1/0")))
    with broker_down.app_context():
        client = broker_down.test_client()
        for n in range(N_WEB, N_WEB + N_BROKER_DOWN):
            response = client.post("/api/v1/questions", json=question(n))
            assert response.status_code == 202
            references.append(response.get_json()["reference"])
        db.session.remove()
        db.engine.dispose()
    assert len(set(references)) == N_WEB + N_BROKER_DOWN

    # Two beats tick at the same moment (the misconfiguration the README warns about).
    relay_ticks(2)
    total = len(references)
    messages = smtp_server.wait_for(lambda ms: len(ms) >= 2 * total, timeout=120)
    relay_ticks(2)  # later ticks find everything done and send nothing more
    db.session.rollback()

    tickets = db.session.execute(select(Ticket).where(Ticket.reference.in_(references))).scalars().all()
    assert len(tickets) == total
    assert Counter(t.status for t in tickets) == {"assigned": total}  # none stranded in "new"
    routed = Counter(db.session.execute(
        select(Message.ticket_id).where(Message.kind == "system", Message.body.like("Triaged as %"))
    ).scalars())
    assert all(routed[t.id] == 1 for t in tickets), "a ticket was routed more than once"

    rows = db.session.execute(select(OutboundEmail)).scalars().all()
    assert Counter(r.kind for r in rows) == {"surgeon_notification": total, "patient_acknowledgement": total}
    assert {r.status for r in rows} == {"sent"}
    delivered = Counter(m["Message-ID"] for m in smtp_server.messages)
    assert len(smtp_server.messages) == 2 * total and set(delivered.values()) == {1}
    notified = Counter(ref for m in messages for ref in references if f"[{ref}] New" in m["Subject"])
    assert notified == Counter(references), "every reference's surgeon notification arrives exactly once"
    pending = db.session.execute(
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None))
    ).scalar_one()
    assert pending == 0


def relay_ticks(beats: int) -> None:
    """`beats` relay ticks at once, each in its own app context and session, as separate beats would."""
    app = current_app._get_current_object()
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            with app.app_context():
                outbox.relay_pending()
                db.session.remove()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=tick) for _ in range(beats)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
