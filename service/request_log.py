"""Structured logs: one JSON object per line, each tagged with the request it belongs to.

Request ids: a sane `X-Request-ID` from the client or proxy is kept (so one id follows a request
through the load balancer and us), anything else is replaced by a random one; the id is echoed in
the response header and appears in every log line written while the request runs.

What never goes in a log line: query strings (search terms and filters can be health data),
request bodies, form fields, or the text of patient messages. The access line names the path only.

Line format (keys always present first, then any extra fields):
  {"ts": "2026-01-31T12:00:00.123Z", "level": "INFO", "logger": "neurodesk.access",
   "msg": "request", "request_id": "9f0c...", "method": "GET", "path": "/articles/x",
   "status": 200, "bytes": 24817, "duration_ms": 0.41}
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, has_request_context, request

HEADER = "X-Request-ID"
_ENVIRON_KEY = "neurodesk.request_id"
_STARTED_KEY = "neurodesk.started"
# Ids from outside are echoed into headers and logs: a short, plain charset only (no quotes,
# spaces or newlines that could forge a log line or a header).
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
_MAX_PATH = 200

access_log = logging.getLogger("neurodesk.access")


def request_id() -> str | None:
    """This request's id (made on first use), None outside a request."""
    if not has_request_context():
        return None
    environ = request.environ
    rid = environ.get(_ENVIRON_KEY)
    if rid is None:
        rid = sane_request_id(environ.get("HTTP_X_REQUEST_ID")) or uuid.uuid4().hex
        environ[_ENVIRON_KEY] = rid
    return rid


def sane_request_id(offered: str | None) -> str | None:
    """The client's or proxy's id when it is safe to echo, else None (the caller makes one)."""
    return offered if offered and _SANE_ID.fullmatch(offered) else None


class JsonFormatter(logging.Formatter):
    """One JSON object per line; `extra={"fields": {...}}` become keys (used by gunicorn.conf.py too)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id()
        if rid is not None:
            data["request_id"] = rid
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                data.setdefault(key, value)
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


class _NoWerkzeugRequestLines(logging.Filter):
    """The dev server's own request lines carry the query string: ours (without it) replace them."""

    _REQUEST_LINE = re.compile(r'\S+ - - \[[^\]]*\] "')

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "werkzeug" and self._REQUEST_LINE.match(record.getMessage()))


def configure_logging() -> None:
    """JSON lines on stderr for this process, once; left alone when something (pytest, Celery's
    own set-up) already installed handlers on the root logger."""
    skip_unused_record_fields()
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(_NoWerkzeugRequestLines())
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def skip_unused_record_fields() -> None:
    """The JSON lines never show the caller's file and line, thread or process names: not working
    them out for each record (the logging docs' "Optimization" switches) halves an access line's
    cost, and every request writes one."""
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def _start() -> None:
    request.environ[_STARTED_KEY] = time.perf_counter()
    request_id()


def _finish(response: Response) -> Response:
    rid = request_id()
    response.headers[HEADER] = rid
    log_access(rid, request.method, request.path, response.status_code, response.content_length,
               request.environ.get(_STARTED_KEY))
    return response


def log_access(rid: str, method: str, path: str, status: int, nbytes: int | None, started: float | None) -> None:
    """The access line (also written by page_replay.py for answers Flask never sees)."""
    access_log.info("request", extra={"request_id": rid, "fields": {
        "method": method,
        "path": path[:_MAX_PATH],  # the path only: never the query string
        "status": status,
        "bytes": nbytes,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
    }})


def init_request_log(app: Flask) -> None:
    configure_logging()
    app.before_request_funcs.setdefault(None, []).insert(0, _start)  # first, before any other hook
    app.after_request(_finish)
