"""A submission survives the database dropping its connections, and is never stored twice.

Pooled connections are pinged only after sitting idle (service/connection_check.py); one used
a moment ago goes straight to work. When that one turns out dead, the submission is made
again, once, on a new connection, with the same reference: a first attempt that did commit
before the line dropped is found, not stored a second time. PostgreSQL only: SQLite has no
connection to lose.
"""
from __future__ import annotations

import socket
import threading
import time

import pytest
from sqlalchemy import create_engine, func, select, text

from service import create_app
from service.extensions import db
from service.tickets.models import OutboxEvent, Ticket
from tests.conftest import base_config, truncate_all
from tests.tickets.conftest import celery_config

SPINE = "My lower back hurts and the sciatica goes down my left leg. Would a discectomy help?"


def ask(client, email: str):
    return client.post("/api/v1/questions", json={
        "name": "Ann Patient", "email": email, "question": SPINE, "consent": True})


class CuttingProxy:
    """A TCP proxy to PostgreSQL that, when armed, lets the next submission statement through
    and then cuts that connection before the client reads the reply: the ticket commits and
    the client only sees the line drop, as when a network or a server dies at that moment."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.armed = threading.Event()
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            cut = threading.Event()
            threading.Thread(target=self._to_server, args=(client, upstream, cut), daemon=True).start()
            threading.Thread(target=self._to_client, args=(upstream, client, cut), daemon=True).start()

    def _to_server(self, client: socket.socket, upstream: socket.socket, cut: threading.Event) -> None:
        while data := self._recv(client):
            if self.armed.is_set() and b"INSERT INTO ticket" in data:
                self.armed.clear()
                cut.set()
            upstream.sendall(data)
        upstream.close()

    def _to_client(self, upstream: socket.socket, client: socket.socket, cut: threading.Event) -> None:
        while data := self._recv(upstream):
            if cut.is_set():  # the server answered the statement: it has committed; drop the line
                self.cuts += 1
                client.shutdown(socket.SHUT_RDWR)
                client.close()
                upstream.close()
                return
            client.sendall(data)
        client.close()

    @staticmethod
    def _recv(sock: socket.socket) -> bytes:
        try:
            return sock.recv(65536)
        except OSError:
            return b""

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def make_app(postgres_url):
    apps = []

    def make(url: str = postgres_url, **config):
        app = create_app(base_config(url, CELERY=celery_config(), **config))
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if apps:
        cleaner = create_app(base_config(postgres_url))
        truncate_all(cleaner)
        with cleaner.app_context():
            db.engine.dispose()


def drop_connections(postgres_url: str) -> int:
    """What a database restart does to every client: all of this database's backends killed."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    admin.dispose()
    return killed


def tickets_and_events(app) -> tuple[list[str], int]:
    with app.app_context():
        references = db.session.execute(select(Ticket.reference).order_by(Ticket.id)).scalars().all()
        events = db.session.execute(select(func.count()).select_from(OutboxEvent)).scalar_one()
        db.session.remove()
    return references, events


def test_a_question_sent_just_after_the_database_dropped_every_connection_is_taken_once(make_app, postgres_url):
    app = make_app()
    client = app.test_client()
    first = ask(client, "first@example.test")
    assert first.status_code == 202
    # The pooled connection was used a moment ago, so it goes out unpinged, and finds itself dead.
    assert drop_connections(postgres_url) >= 1
    second = ask(client, "second@example.test")
    assert second.status_code == 202, second.get_json()
    references, events = tickets_and_events(app)
    assert references == [first.get_json()["reference"], second.get_json()["reference"]]
    assert events == 2


def test_a_submission_whose_reply_was_cut_off_after_commit_is_found_not_stored_twice(make_app, postgres_url):
    proxy = CuttingProxy(5432)
    try:
        host_and_port = postgres_url.split("@", 1)[1].split("/", 1)[0]
        app = make_app(postgres_url.replace(host_and_port, f"127.0.0.1:{proxy.port}"))
        client = app.test_client()
        assert ask(client, "warm@example.test").status_code == 202  # a pooled connection, freshly used
        proxy.armed.set()
        response = ask(client, "cut@example.test")
        assert proxy.cuts == 1, "the proxy never cut a reply: the test did not test anything"
        assert response.status_code == 202, response.get_json()
        references, events = tickets_and_events(app)
        assert len(references) == 2 and references[1] == response.get_json()["reference"]
        assert events == 2  # one triage event each: the retry found the first attempt's ticket
        with app.app_context():
            event = db.session.execute(select(OutboxEvent).order_by(OutboxEvent.id.desc())).scalars().first()
            assert event.dispatched_at is not None  # handed to the broker by the retry
    finally:
        proxy.close()


def test_only_a_connection_that_sat_idle_is_pinged_and_a_dead_idle_one_is_replaced(make_app, postgres_url, monkeypatch):
    app = make_app(DB_PING_AFTER_IDLE_SECONDS=0.2)
    client = app.test_client()
    with app.app_context():
        dialect = db.engine.dialect
    pings = []
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda dbapi_connection: pings.append(1) or real_ping(dbapi_connection))

    for n in range(3):
        assert ask(client, f"busy{n}@example.test").status_code == 202
    assert pings == []  # back-to-back work: no round trip spent on pings

    time.sleep(0.3)
    assert drop_connections(postgres_url) >= 1
    with app.app_context():
        # Not the intake path (which would retry anyway): a plain query on the idle connection.
        assert db.session.execute(select(func.count()).select_from(Ticket)).scalar_one() == 3
        db.session.remove()
    assert len(pings) >= 1
