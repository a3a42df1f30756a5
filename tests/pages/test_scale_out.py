"""Two web processes, one PostgreSQL database, one Redis: an edit published through one process
is served by the other on its very next request (each keeps rendered pages in memory)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from service.extensions import db
from service.staff.services import issue_api_token

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "web process exited"
        try:
            if requests.get(base + "/robots.txt", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still booting
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not come up")


_PROCESS_GROUPS: dict[str, int] = {}


def _group_of(base: str) -> int:
    return _PROCESS_GROUPS[base]


@pytest.fixture
def web_redis_url(request, redis_url):
    """The test's Redis; with the indirect parameter "private", a Redis server of the web processes'
    own, so its command counts are theirs alone (not this test process's own token watches)."""
    if getattr(request, "param", None) != "private":
        yield redis_url
        return
    import redis

    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline and server.poll() is None, "private redis-server did not start"
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def web_processes(app, database_url, web_redis_url):
    """Two separate gunicorn servers (one worker each) sharing the test's database and Redis."""
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": web_redis_url, "SECRET_KEY": "test-secret-key",
           "RATELIMIT_ENABLED": "0", "PYTHONPATH": str(REPO)}
    servers = []
    try:
        for _ in range(2):
            port = free_port()
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "1", "--threads", "2",
                 "-b", f"127.0.0.1:{port}", "service.wsgi:app"],
                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            servers.append((f"http://127.0.0.1:{port}", process))
            _PROCESS_GROUPS[f"http://127.0.0.1:{port}"] = process.pid  # its own session: group id = pid
        for base, process in servers:
            wait_until_up(base, process)
        yield [base for base, _ in servers]
    finally:
        for _, process in servers:
            process.terminate()
        for _, process in servers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
def test_an_edit_published_through_one_process_shows_on_the_other_at_once(demo, make_staff, web_processes):
    editor = make_staff("coordinator@clinic.test", role="coordinator", specialties=())
    token = issue_api_token(editor)
    db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    first, second = web_processes

    # Both processes render and keep the page and the API list.
    for base in (first, second):
        for _ in range(3):
            assert "Corrected by the surgeon." not in requests.get(base + "/articles/meningioma").text
        assert requests.get(base + "/articles/new-guide").status_code == 404

    for round_number in range(3):
        summary = f"Corrected by the surgeon. Round {round_number}."
        edited = requests.put(first + "/api/v1/articles/meningioma", json={"summary": summary}, headers=auth)
        assert edited.status_code == 200, edited.text
        page = requests.get(second + "/articles/meningioma")
        assert summary in page.text
        assert summary in requests.get(second + "/api/v1/articles/meningioma").json()["summary"]

    section = requests.get(first + "/api/v1/sections").json()["items"][0]["slug"]
    created = requests.post(first + "/api/v1/articles", headers=auth, json={
        "slug": "new-guide", "title": "A new guide", "summary": "New.", "body": "Text.",
        "section": section, "status": "published"})
    assert created.status_code == 201, created.text
    assert requests.get(second + "/articles/new-guide").status_code == 200

    removed = requests.put(second + "/api/v1/articles/new-guide", json={"status": "draft"}, headers=auth)
    assert removed.status_code == 200, removed.text
    assert requests.get(first + "/articles/new-guide").status_code == 404


def _subscribers(redis_client, pattern: str = "neurodesk:content-token:*:changed") -> int:
    channels = redis_client.pubsub_channels(pattern)
    return sum(count for _, count in redis_client.pubsub_numsub(*channels)) if channels else 0


def _subscribed_after_a_page_view(redis_client, bases: list[str]) -> None:
    """Each web process subscribes on its first page view (this test process may hold one too)."""
    expected = _subscribers(redis_client) + len(bases)
    for base in bases:
        assert requests.get(base + "/articles/meningioma").status_code == 200
    deadline = time.monotonic() + 30
    while _subscribers(redis_client) < expected:
        assert time.monotonic() < deadline, "web processes never subscribed to content changes"
        time.sleep(0.05)


@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
@pytest.mark.parametrize("web_redis_url", ["private"], indirect=True)
def test_pages_are_served_without_asking_redis_each_time(demo, web_processes, web_redis_url):
    """The content token is heard over pub/sub: page views stop costing a Redis round trip.
    Each process's watch still reads the key CHECK_EVERY seconds; that is all the GETs may be."""
    import redis

    from service.content.token_watch import CHECK_EVERY

    client = redis.Redis.from_url(web_redis_url)
    _subscribed_after_a_page_view(client, web_processes)
    second = web_processes[1]
    time.sleep(0.5)  # the watch's first lease
    views = 300
    gets_before = client.info("commandstats").get("cmdstat_get", {}).get("calls", 0)
    began = time.monotonic()
    with requests.Session() as browser:
        for _ in range(views):
            assert browser.get(second + "/articles/meningioma").status_code == 200
    elapsed = time.monotonic() - began
    gets = client.info("commandstats").get("cmdstat_get", {}).get("calls", 0) - gets_before
    watches_allowance = len(web_processes) * (elapsed / CHECK_EVERY + 3)
    assert gets <= watches_allowance < views


@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
def test_a_process_that_missed_the_change_while_stopped_still_serves_the_edit(
        demo, make_staff, web_processes, redis_url):
    """A web process frozen (SIGSTOP: a stalled VM, a debugger) when an edit is published cannot
    acknowledge it. The publish waits out that process's lease, so when it wakes its first
    request already checks Redis and shows the edit, whichever of its threads runs first."""
    import redis

    editor = make_staff("coordinator@clinic.test", role="coordinator", specialties=())
    token = issue_api_token(editor)
    db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    first, second = web_processes
    _subscribed_after_a_page_view(redis.Redis.from_url(redis_url), web_processes)
    for _ in range(3):
        assert "Frozen round" not in requests.get(second + "/articles/meningioma").text
    time.sleep(0.5)  # its watch holds a lease on the old token now

    frozen = _group_of(second)
    os.killpg(frozen, signal.SIGSTOP)
    try:
        edited = requests.put(first + "/api/v1/articles/meningioma", json={"summary": "Frozen round."},
                              headers=auth, timeout=30)
        assert edited.status_code == 200, edited.text
        # The next visitor's request is already waiting when the process wakes, beside the
        # change message its watch has not read yet.
        host, port = second.removeprefix("http://").split(":")
        waiting = socket.create_connection((host, int(port)))
        waiting.sendall(f"GET /articles/meningioma HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    finally:
        os.killpg(frozen, signal.SIGCONT)
    with waiting:
        answer = b"".join(iter(lambda: waiting.recv(65536), b""))
    assert answer.startswith(b"HTTP/1.1 200") and b"Frozen round." in answer
    assert "Frozen round." in requests.get(second + "/articles/meningioma").text
    assert "Frozen round." in requests.get(second + "/api/v1/articles/meningioma").json()["summary"]
