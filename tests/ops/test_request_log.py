"""Structured logs: JSON lines, a request id in each line of a request, no query strings."""
from __future__ import annotations

import json
import logging

import pytest

from service.request_log import JsonFormatter


@pytest.fixture
def log_lines(app):
    """The JSON lines the app writes during the test, parsed."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    # Alembic's fileConfig (run by the session's migrations) disables loggers that existed then.
    logging.getLogger("neurodesk.access").disabled = False
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in lines]
    root.removeHandler(handler)
    root.setLevel(previous)


def test_a_sane_request_id_is_kept_echoed_and_in_every_line_of_the_request(app, client, log_lines):
    @app.get("/test-logs")
    def noisy():
        logging.getLogger("service.test").warning("something to note")
        return "ok"

    response = client.get("/test-logs", headers={"X-Request-ID": "lb-7f3a9c2e-0001"})
    assert response.headers["X-Request-ID"] == "lb-7f3a9c2e-0001"
    lines = [line for line in log_lines() if line.get("request_id") == "lb-7f3a9c2e-0001"]
    assert {line["logger"] for line in lines} >= {"service.test", "neurodesk.access"}
    access = next(line for line in lines if line["logger"] == "neurodesk.access")
    assert access["method"] == "GET" and access["path"] == "/test-logs" and access["status"] == 200
    assert isinstance(access["duration_ms"], float) and access["ts"].endswith("Z")


@pytest.mark.parametrize("offered", ['x" {"forged": 1}', "short", "a" * 200, "spaces are not ok here"])
def test_an_unusable_request_id_is_replaced_by_a_fresh_one(client, log_lines, offered):
    response = client.get("/robots.txt", headers={"X-Request-ID": offered})
    rid = response.headers["X-Request-ID"]
    assert rid != offered and len(rid) == 32
    assert any(line.get("request_id") == rid for line in log_lines())


def test_every_response_gets_a_different_generated_id(client):
    assert client.get("/robots.txt").headers["X-Request-ID"] != client.get("/robots.txt").headers["X-Request-ID"]


def test_access_lines_never_carry_the_query_string(client, log_lines):
    client.get("/search?q=my+headache+since+the+fall")
    client.get("/api/v1/articles?search=numb+groin")
    text = "\n".join(json.dumps(line) for line in log_lines())
    assert "headache" not in text and "groin" not in text and "q=" not in text
    paths = [line["path"] for line in log_lines() if line["logger"] == "neurodesk.access"]
    assert paths == ["/search", "/api/v1/articles"]


def test_the_dev_servers_request_lines_with_query_strings_are_dropped():
    from service.request_log import _NoWerkzeugRequestLines

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("werkzeug", logging.INFO, __file__, 1, message, None, None)

    drop = _NoWerkzeugRequestLines()
    assert not drop.filter(record('127.0.0.1 - - [25/Nov/2026 12:44:09] "GET /search?q=numb+groin HTTP/1.1" 200 -'))
    assert drop.filter(record(" * Running on http://127.0.0.1:5000"))
