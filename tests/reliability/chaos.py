"""Real processes a fault-injection scenario starts, kills and restarts.

* `PrivateRedis`: a `redis-server` of the scenario's own on a free port (never the machine's
  shared 6379), stopped and started again on the same port to simulate a broker outage.
* `Service`: one process group (gunicorn, `celery -A worker worker`, `celery -A worker beat`)
  with its output in a log file; `kill()` SIGKILLs the whole group, prefork children included,
  as an OOM killer or a lost VM would.
* `FaultySmtp`: an aiosmtpd sink that records every accepted message with its arrival time,
  answers `451` to every DATA during a time window, and counts its open connections.
"""
from __future__ import annotations

import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

REPO = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, poll: float = 0.1):
    """Poll `predicate` until it returns something truthy; fail with `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(poll)


def wait_while_progressing(done, progress, what: str, *, stalled_after: float = 90.0, at_most: float = 600.0,
                           poll: float = 0.5) -> None:
    """Poll until `done()`; fail only when `progress()` has not changed for `stalled_after` seconds
    (the system is stuck, not merely slow on a busy machine) or after `at_most` seconds in all.

    The quiet stretches a recovering system can have are shorter than the stall limit: the
    compressed re-dispatch of stranded work (30 s) and the longest mail retry backoff (8 s).
    """
    started = last_change = time.monotonic()
    seen = progress()
    while not done():
        now = time.monotonic()
        current = progress()
        if current != seen:
            seen, last_change = current, now
        if now - last_change >= stalled_after:
            raise AssertionError(f"no progress for {stalled_after:.0f} s waiting for {what} (last state {seen!r})")
        if now - started >= at_most:
            raise AssertionError(f"still not {what} after {at_most:.0f} s, though progressing (state {seen!r})")
        time.sleep(poll)


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Service:
    """A command run in its own process group, output appended to `log`."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> Service:
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"\n===== start {self.starts} of {self.name} =====\n".encode())
            out.flush()
            self.process = subprocess.Popen(self.argv, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        return self

    def output_since_start(self) -> str:
        text = self.log.read_text(errors="replace")
        return text.rsplit(f"===== start {self.starts} of {self.name} =====", 1)[-1]

    def wait_for_output(self, marker: str, timeout: float = 60.0) -> None:
        def seen() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited ({self.process.returncode}):\n{self.tail()}")
            return marker in self.output_since_start()

        wait_until(seen, timeout, f"{self.name} to log {marker!r}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole group: no cleanup, no acks, open transactions die with their sockets."""
        self._signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if not self.alive():
            self._signal_group(signal.SIGKILL)  # stray children of a dead leader
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=10)

    def freeze(self) -> None:
        """SIGSTOP the group: a worker too busy to take anything from its queue."""
        self._signal_group(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal_group(signal.SIGCONT)

    def kill_a_child(self, rng) -> int | None:
        """SIGKILL one prefork child (as the OOM killer picks one); the parent forks a new one."""
        if self.process is None:
            return None
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # fields[1] is the parent pid
                children.append(int(stat.parent.name))
        if not children:
            return None
        victim = rng.choice(children)
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            return None
        return victim

    def _signal_group(self, sig: int) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, sig)  # start_new_session: the group id is the leader's pid
        except ProcessLookupError:
            pass

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class PrivateRedis:
    """A throwaway redis-server (no persistence, like a cache that lost its memory) on a free port."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.service = Service("redis", ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--daemonize", "no"],
                               dict(os.environ), log_dir / "redis.log")

    def start(self) -> None:
        self.service.start()
        wait_until(lambda: port_accepts(self.port), 20, f"redis on port {self.port}")

    def stop(self) -> None:
        self.service.kill()
        wait_until(lambda: not port_accepts(self.port), 10, "redis to stop listening")


@dataclass(frozen=True)
class Received:
    message: EmailMessage
    at: float  # time.monotonic() when the sink answered 250

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"] or "")


class _SinkHandler:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.attempts = 0
        self.refused = 0
        self.fail_until = 0.0
        self.open_connections = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        now = time.monotonic()
        with self.lock:
            self.attempts += 1
            if now < self.fail_until:
                self.refused += 1
                return "451 4.3.0 Mail system busy, try again later"
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            # Like a real MTA: once the 250 goes out the message is ours, whatever the client does next.
            self.received.append(Received(message, time.monotonic()))
        return "250 2.0.0 OK queued"


class _CountingSmtp(SMTP):
    """aiosmtpd's server side, counting open connections: once a killed client's are closed, the
    sink's record of what it accepted from that client is final (closing cancels the session)."""

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        with self.event_handler.lock:
            self.event_handler.open_connections += 1

    def connection_lost(self, error) -> None:
        super().connection_lost(error)
        with self.event_handler.lock:
            self.event_handler.open_connections -= 1


class _CountingController(Controller):
    def factory(self) -> SMTP:
        return _CountingSmtp(self.handler, **self.SMTP_kwargs)


class FaultySmtp:
    def __init__(self) -> None:
        self.handler = _SinkHandler()
        self.host, self.port = "127.0.0.1", free_port()
        self._controller = _CountingController(self.handler, hostname=self.host, port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def refuse_for(self, seconds: float) -> None:
        """Answer 451 to every message for the next `seconds` (a greylisting or overloaded relay)."""
        with self.handler.lock:
            self.handler.fail_until = time.monotonic() + seconds

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def open_connections(self) -> int:
        with self.handler.lock:
            return self.handler.open_connections


def service_env(**settings: str) -> dict[str, str]:
    """The environment of a production process, built from scratch for this scenario."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MAIL_", "REDIS", "DATABASE", "IMAP_", "OUTBOX_", "INBOUND_", "CELERY_"))}
    env.update({"PYTHONPATH": str(REPO), "SECRET_KEY": "reliability-secret-key", "RATELIMIT_ENABLED": "0",
                "CELERY_TASK_ALWAYS_EAGER": "0", "PYTHONUNBUFFERED": "1"})
    env.update(settings)
    return env


def worker(env: dict[str, str], log_dir: Path, name: str = "chaos") -> Service:
    # prefork with two children: a SIGKILL of the group takes down tasks in both at once.
    return Service("worker", [sys.executable, "-m", "celery", "-A", "worker", "worker", "--pool=prefork",
                              "--concurrency=2", "--loglevel=INFO", "--without-heartbeat", "--without-gossip",
                              "--without-mingle", "-n", f"{name}@%h"], env, log_dir / "worker.log")


def beat(env: dict[str, str], log_dir: Path) -> Service:
    return Service("beat", [sys.executable, "-m", "celery", "-A", "worker", "beat", "--loglevel=INFO",
                            "-s", str(log_dir / "celerybeat-schedule")], env, log_dir / "beat.log")


def web(env: dict[str, str], log_dir: Path, port: int) -> Service:
    env = {**env, "PORT": str(port), "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "4"}
    return Service("web", [sys.executable, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py"),
                           "--bind", f"127.0.0.1:{port}", "service.wsgi:app"], env, log_dir / "web.log")
