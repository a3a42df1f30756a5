"""Stored anonymous answers replayed at the WSGI layer, ahead of Flask's request machinery.

Why: page_cache.py and api_support.cached_read render each public page and API read once per
content version, but handing the stored bytes out through Flask still costs about three times
what the bare framework costs per request: the request context, session, login, CSRF, limiter,
security-header and logging hooks all run for an answer they cannot change. For a GET with no
session cookie and no Authorization header none of them can, so the whole answer Flask sent
(status line, every header, body) is recorded once per content generation and replayed
verbatim to the next such request, with its own request id and access-log line.

Why it is never stale or wrong:
  * It asks the same question as the Flask path (freshness.py): replay happens only while the
    shared Redis content token is the one the recording's generation was built under and no
    scheduled article has gone live since. Without Redis (the embedded default) nothing is
    replayed; with Redis unreachable the token read fails and Flask answers.
  * Only answers a view marked replayable are recorded (`mark_public` / `mark_session_page`:
    anonymous 200s and 304s of cached pages and API reads), keyed by the raw request line
    (scheme, script root, path, query string), into the generation the view rendered under, so
    a render racing a publish lands in the generation being replaced.
  * Anything else (other methods, a session cookie, an Authorization header, an If-None-Match
    that does not match) goes to Flask.
  * /ask carries a CSRF token bound to a new session. Its replay mints that session the way
    Flask-WTF and Flask's signed cookie do, with the app's own serializers and keys, and is only
    switched on after checking that Flask's own answer had exactly that shape (one session
    cookie holding only the CSRF secret, the token in the body, the ETag this module computes).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request
from itsdangerous import Serializer, TimestampSigner, URLSafeTimedSerializer, want_bytes
from itsdangerous.encoding import base64_encode, int_to_bytes
from itsdangerous.signer import HMACAlgorithm
from werkzeug.http import parse_etags

from service.content.freshness import EXTENSION as FRESHNESS, Generation
from service.request_log import HEADER as REQUEST_ID_HEADER, log_access, sane_request_id

log = logging.getLogger(__name__)

_MARK = "neurodesk.replay"
_REQUEST_ID = REQUEST_ID_HEADER.lower()
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


@dataclass(frozen=True)
class _PublicMark:
    generation: Generation
    etag: str


@dataclass(frozen=True)
class _SessionMark:
    generation: Generation
    template: bytes  # the stored render, CSRF placeholder in place of the token
    placeholder: bytes
    token: str  # the token Flask-WTF put in this answer
    etag_parts: tuple[str, str, str]  # content version, file fingerprint, page key


@dataclass(frozen=True)
class _Recorded:
    status: str
    headers: list[tuple[str, str]]  # as Flask sent them, minus the request id
    body: bytes


class _PublicEntry:
    """A public page or API read: the 200 and, once seen, the 304 for its ETag."""

    def __init__(self, etag: str) -> None:
        self.etag = etag
        self.ok: _Recorded | None = None
        self.not_modified: _Recorded | None = None


@dataclass(frozen=True)
class _SessionEntry:
    """A per-visitor page (/ask) for a visitor without a session: minted afresh each time."""

    status: str
    headers: list[tuple[str, str]]  # minus request id, ETag, Set-Cookie and Content-Length
    parts: list[bytes]  # the body split where the CSRF token goes
    cookie_prefix: str  # 'session=' ...
    cookie_suffix: str  # ... '; HttpOnly; Path=/; SameSite=Lax'
    etag_parts: tuple[str, str, str]
    csrf_field: str
    csrf_token: "_Minter"
    session_cookie: "_Minter"


class _Minter:
    """`serializer.dumps(make(secret))` for a new secret, a quarter of the library's cost (a new
    visitor's cookie and token: 24 -> 6 us): the payload is the serializer's own JSON for
    `make(MARK)` with the secret put in place of MARK, and the HMAC is keyed once. On construction
    the result is compared with the serializer's own output; ValueError if it differs (Flask
    answers /ask then)."""

    _MARK = "f" * 40

    def __init__(self, serializer: Any, make: Callable[[str], Any], sample_secret: str) -> None:
        signer = serializer.make_signer()
        if type(signer) is not TimestampSigner or not isinstance(signer.algorithm, HMACAlgorithm):
            raise ValueError(f"unexpected signer {signer!r}")
        raw = Serializer.dump_payload(serializer, make(self._MARK))  # the JSON, before URL-safe encoding
        self._json = raw.split(self._MARK.encode())
        if len(self._json) != 2:
            raise ValueError("the secret does not appear exactly once in the payload")
        self._mac = hmac.new(signer.derive_key(), digestmod=signer.algorithm.digest_method)
        self._sep = want_bytes(signer.sep)
        self._timestamp = signer.get_timestamp
        sample = make(sample_secret)
        for _ in range(2):  # twice: a second may tick between the two signatures
            if self.mint(sample_secret) == signer.sign(serializer.dump_payload(sample)).decode():
                break
        else:
            raise ValueError("minted value differs from the serializer's")
        if serializer.loads(self.mint(sample_secret)) != sample:
            raise ValueError("minted value does not load back")

    def mint(self, secret: str) -> str:
        value = base64_encode(secret.encode().join(self._json)) + self._sep + \
            base64_encode(int_to_bytes(self._timestamp()))
        mac = self._mac.copy()
        mac.update(value)
        return (value + self._sep + base64_encode(mac.digest())).decode()


def mark_public(generation: Generation, etag: str) -> None:
    """This anonymous 200 or 304 may be replayed while `generation` is live."""
    request.environ[_MARK] = _PublicMark(generation, etag)


def mark_session_page(generation: Generation, template: bytes, placeholder: bytes, token: str,
                      etag_parts: tuple[str, str, str]) -> None:
    """This answer to a visitor without a session (a new session, a CSRF token) may be re-minted."""
    request.environ[_MARK] = _SessionMark(generation, template, placeholder, token, etag_parts)


def session_page_etag(version: str, fingerprint: str, key: str, csrf_secret: str) -> str:
    """The ETag of a per-session page (page_cache uses it too): one formula, one place."""
    return hashlib.sha256("\x1f".join((version, fingerprint, key, csrf_secret)).encode()).hexdigest()[:32]


class PageReplay:
    """WSGI middleware: replay recorded anonymous answers, record the ones views mark."""

    def __init__(self, wsgi_app: WSGIApp, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ \
                or self._session_cookie_sent(environ):
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        generation = self._live_generation()
        if generation is not None:
            entry = generation.entries.get(_entry_key(environ))
            if entry is not None:
                replayed = self._replay(entry, environ, start_response, started)
                if replayed is not None:
                    return replayed
        return self._record(environ, start_response)

    def _session_cookie_sent(self, environ: dict) -> bool:
        # A substring test may send a visitor with a look-alike cookie name to Flask: harmless.
        cookies = environ.get("HTTP_COOKIE")
        return bool(cookies) and self.app.config["SESSION_COOKIE_NAME"] + "=" in cookies

    def _live_generation(self) -> Generation | None:
        state = self.app.extensions.get(FRESHNESS)
        if state is None or state.token is None:
            return None
        generation = state.generation
        if generation is None or generation.token is None:
            return None
        token = state.token.read()
        if token is None or token != generation.token or not generation.live(time.time()):
            return None
        return generation

    def _replay(self, entry: Any, environ: dict, start_response: Callable, started: float) -> list[bytes] | None:
        if isinstance(entry, _SessionEntry):
            # A visitor without a session cannot hold a copy tagged with its secret: never a 304.
            status, headers, body = _mint_session_page(entry)
        else:
            if_none_match = environ.get("HTTP_IF_NONE_MATCH")
            recorded = entry.ok
            if if_none_match:
                if not parse_etags(if_none_match).contains(entry.etag):
                    return None  # rare: Flask answers (and records nothing new)
                recorded = entry.not_modified
            if recorded is None:
                return None
            status, headers, body = recorded.status, list(recorded.headers), recorded.body
        rid = sane_request_id(environ.get("HTTP_X_REQUEST_ID")) or uuid.uuid4().hex
        headers.append((REQUEST_ID_HEADER, rid))
        start_response(status, headers)
        log_access(rid, "GET", environ.get("PATH_INFO", ""), int(status[:3]), len(body) if body else None, started)
        return [body]

    def _record(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        sent: list = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        app_iter = self.wsgi_app(environ, capture)
        mark = environ.get(_MARK)
        if mark is None or not sent:
            return app_iter
        try:
            body = b"".join(app_iter)
        finally:
            close = getattr(app_iter, "close", None)
            if close is not None:
                close()
        status, headers = sent
        headers = [(name, value) for name, value in headers if name.lower() != _REQUEST_ID]
        key = _entry_key(environ)
        if isinstance(mark, _PublicMark):
            _record_public(mark, key, status, headers, body)
        elif status.startswith("200 "):
            entry = self._session_entry(mark, headers, body)
            if entry is not None:
                mark.generation.remember(key, entry)
        return [body]

    def _session_entry(self, mark: _SessionMark, headers: list[tuple[str, str]], body: bytes) -> _SessionEntry | None:
        """Check Flask's answer has the shape a replay would mint; None (Flask keeps answering) if not."""
        app = self.app
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        cookies = [value for name, value in headers if name.lower() == "set-cookie"]
        etags = [value for name, value in headers if name.lower() == "etag"]
        if len(cookies) != 1 or len(etags) != 1 or not cookies[0].startswith(cookie_name + "="):
            return None
        value, separator, suffix = cookies[0][len(cookie_name) + 1:].partition(";")
        if "expires=" in suffix.lower() or "max-age=" in suffix.lower():
            return None  # a permanent session's expiry moves with time: leave it to Flask
        csrf_field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        session_serializer = app.session_interface.get_signing_serializer(app)
        csrf_serializer = URLSafeTimedSerializer(
            app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key, salt="wtf-csrf-token")
        try:
            session = session_serializer.loads(value)
            secret = csrf_serializer.loads(mark.token)
        except Exception:
            return None
        version, fingerprint, key = mark.etag_parts
        if (session != {csrf_field: secret}
                or mark.template.replace(mark.placeholder, mark.token.encode()) != body
                or etags[0] != f'"{session_page_etag(version, fingerprint, key, secret)}"'):
            log.info("page not replayable: its answer is not the expected new-session shape")
            return None
        kept = [(name, value) for name, value in headers
                if name.lower() not in {"etag", "set-cookie", "content-length"}]
        try:
            csrf_token = _Minter(csrf_serializer, lambda new: new, secret)
            session_cookie = _Minter(session_serializer, lambda new: {csrf_field: new}, secret)
        except Exception:
            log.info("page not replayable: cannot mint sessions like Flask does", exc_info=True)
            return None
        return _SessionEntry(
            status="200 OK", headers=kept, parts=mark.template.split(mark.placeholder),
            cookie_prefix=cookie_name + "=", cookie_suffix=separator + suffix,
            etag_parts=mark.etag_parts, csrf_field=csrf_field,
            csrf_token=csrf_token, session_cookie=session_cookie,
        )


def _entry_key(environ: dict) -> tuple:
    return ("replay", environ.get("wsgi.url_scheme"), environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))


def _record_public(mark: _PublicMark, key: tuple, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
    if not (status.startswith("200 ") or status.startswith("304 ")):
        return  # a hook or error handler changed the answer after the view marked it
    entry = mark.generation.entries.get(key)
    if not isinstance(entry, _PublicEntry) or entry.etag != mark.etag:
        entry = _PublicEntry(mark.etag)
        mark.generation.remember(key, entry)
    recorded = _Recorded(status, headers, body)
    if status.startswith("200 "):
        entry.ok = recorded
    else:
        entry.not_modified = recorded


def _mint_session_page(entry: _SessionEntry) -> tuple[str, list[tuple[str, str]], bytes]:
    # What Flask-WTF's generate_csrf() and Flask's cookie session do for a visitor without one.
    secret = hashlib.sha1(os.urandom(64)).hexdigest()
    token = entry.csrf_token.mint(secret)
    cookie = entry.session_cookie.mint(secret)
    body = token.encode().join(entry.parts)
    version, fingerprint, key = entry.etag_parts
    headers = [
        *entry.headers,
        ("ETag", f'"{session_page_etag(version, fingerprint, key, secret)}"'),
        ("Set-Cookie", entry.cookie_prefix + cookie + entry.cookie_suffix),
        ("Content-Length", str(len(body))),
    ]
    return entry.status, headers, body


def init_app(app: Flask) -> None:
    """Wrap the app's WSGI callable. Call before any proxy middleware wraps it, so that ProxyFix
    runs first and the recorded scheme (HSTS) is the client's."""
    app.wsgi_app = PageReplay(app.wsgi_app, app)  # type: ignore[method-assign]
