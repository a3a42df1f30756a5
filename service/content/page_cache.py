"""Public pages rendered once per content version, kept in memory, answered with ETags and 304s.

Cost per page view (the reason for this module): a rendered article is ~25 KB of Jinja output
built from several queries. Rendering it per request caps a 2-core host at a few hundred pages a
second; serving the stored bytes after one freshness check (freshness.py: a Redis GET, or one
small query without Redis) keeps pages near the framework's own floor. Pages are rendered on
first request after each content change, per process. The finished answers to visitors without
a session are then replayed ahead of Flask's hooks altogether (page_replay.py).

Caching choices:
  * `Cache-Control: public, no-cache` plus a strong ETag, not `max-age`. A correction to medical
    advice must show at once (an editor who publishes and opens the article must not see the old
    text from a browser or proxy cache), and a revalidation ending in 304 costs no rendering.
  * The ETag covers everything a public page depends on: the content version (changes with every
    content write and when a scheduled article goes live), the page identity (path and query
    string) and a fingerprint of the templates and static files, so a deploy that changes markup
    does not answer 304 with yesterday's HTML. It is the same on every worker and host.
  * Public pages never touch the session: no `Vary: Cookie` is added, so shared caches may keep
    them. A visitor whose session holds flashed messages gets a page rendered for them alone
    (`private, no-store`, not stored here): the message belongs to one visitor.
  * Pages holding a CSRF token (/ask) are per visitor: `private, no-cache`. The stored copy holds a
    placeholder where the token goes; each response gets this session's own token substituted
    (Flask-WTF's documented per-request cache of the token in `g` is what the placeholder rides
    on). The ETag also includes a hash of the session's CSRF secret, so a 304 only ever confirms
    a page rendered for this very session (its token is still valid: WTF_CSRF_TIME_LIMIT is None).
"""
from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, make_response, request, session

from service.content import page_replay
from service.content.freshness import Generation, current_generation

PUBLIC = "public, no-cache"
PRIVATE = "private, no-cache"
_COOKIELESS = "neurodesk.cookieless_page"
# Random per process: page text can never contain it by accident.
CSRF_PLACEHOLDER = f"csrf-placeholder-{secrets.token_hex(16)}"


@dataclass(frozen=True)
class StoredPage:
    body: bytes
    content_type: str
    has_csrf_token: bool = False


def file_fingerprint() -> str:
    """Hash of templates and static assets, computed once per process (same on every worker)."""
    cached = current_app.extensions.get("neurodesk_page_fingerprint")
    if cached:
        return cached
    digest = hashlib.sha256()
    roots = [Path(current_app.template_folder or ""), Path(current_app.static_folder or "")]
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".html", ".xml", ".txt", ".css", ".js"}:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    value = digest.hexdigest()[:16]
    current_app.extensions["neurodesk_page_fingerprint"] = value
    return value


def _csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _csrf_secret() -> str | None:
    value = session.get(_csrf_field())
    return value if isinstance(value, str) else None


def _etag(version: str, *parts: str) -> str:
    return hashlib.sha256("\x1f".join((version, file_fingerprint(), *parts)).encode()).hexdigest()[:32]


def public_etag(generation: Generation, key: str) -> str:
    """The ETag of a public page: memoised per generation (a sha256 per request is avoidable)."""
    memo_key = ("etag", key)
    etag = generation.entries.get(memo_key)
    if etag is None:
        etag = _etag(generation.version, key)
        generation.remember(memo_key, etag)
    return etag


def page_etag(*, per_session: bool = False) -> str | None:
    """The ETag this request's page would carry now; None when no safe ETag exists."""
    generation = current_generation()
    if not per_session:
        return public_etag(generation, request.full_path)
    if current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return None  # an old page's token could have expired: always render afresh
    secret = _csrf_secret()
    if secret is None:
        return None
    return page_replay.session_page_etag(generation.version, file_fingerprint(), request.full_path, secret)


def _session_cookie_sent() -> bool:
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies


def _has_flashes() -> bool:
    # Without a cookie there is no session, so no flashes: and not touching the session keeps
    # `Vary: Cookie` off public pages. With one, reading it (and varying on it) is right.
    return _session_cookie_sent() and bool(session.get("_flashes"))


def _answer(body: bytes, content_type: str, etag: str | None, cache_control: str) -> Response:
    response = Response(body, content_type=content_type)
    if etag is not None:
        response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    return response


def _not_modified(etag: str, cache_control: str) -> Response:
    response = Response(status=304)
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    return response


def _public_page(view: Callable[..., Any], args: tuple, kwargs: dict, store: bool) -> Response:
    generation = current_generation()
    key = request.full_path
    etag = public_etag(generation, key)
    if store:
        page_replay.mark_public(generation, etag)  # kept only if the answer is a 200 or 304
    if etag in request.if_none_match:
        return _not_modified(etag, PUBLIC)
    stored = generation.entries.get(("page", key)) if store else None
    if stored is not None:
        return _answer(stored.body, stored.content_type, etag, PUBLIC)
    response = make_response(view(*args, **kwargs))
    if response.status_code == 200 and not response.is_streamed and store:
        # Stored in the generation this request started with: a render racing a publish lands in
        # a generation that is already being replaced, never in the new one.
        generation.remember(("page", key), StoredPage(response.get_data(), response.content_type))
    if response.status_code == 200:
        response.set_etag(etag)
        response.headers["Cache-Control"] = PUBLIC
    return response


def _render_with_placeholder(view: Callable[..., Any], args: tuple, kwargs: dict) -> Response:
    field = _csrf_field()
    g.pop(field, None)
    setattr(g, field, CSRF_PLACEHOLDER)  # generate_csrf() returns g's token when one is set
    try:
        return make_response(view(*args, **kwargs))
    finally:
        g.pop(field, None)


def _per_session_page(view: Callable[..., Any], args: tuple, kwargs: dict) -> Response:
    from flask_wtf.csrf import generate_csrf

    generation = current_generation()
    key = request.full_path
    etag = page_etag(per_session=True)
    if etag is not None and etag in request.if_none_match:
        return _not_modified(etag, PRIVATE)
    stored = generation.entries.get(("session-page", key))
    if stored is None:
        response = _render_with_placeholder(view, args, kwargs)
        body = response.get_data()
        if response.status_code != 200 or response.is_streamed:
            response.set_data(body.replace(CSRF_PLACEHOLDER.encode(), generate_csrf().encode()))
            return response
        stored = StoredPage(body, response.content_type, CSRF_PLACEHOLDER.encode() in body)
        generation.remember(("session-page", key), stored)
    body = stored.body
    if stored.has_csrf_token:
        new_session = _csrf_secret() is None
        g.pop(_csrf_field(), None)  # a token for THIS request's session, never one left in g
        token = generate_csrf()
        body = body.replace(CSRF_PLACEHOLDER.encode(), token.encode())
        if etag is None:
            etag = page_etag(per_session=True)  # generate_csrf() just gave the session its secret
        if new_session:
            page_replay.mark_session_page(generation, stored.body, CSRF_PLACEHOLDER.encode(), token,
                                          (generation.version, file_fingerprint(), key))
    return _answer(body, stored.content_type, etag, PRIVATE)


def mark_cookieless() -> None:
    """This response is the same whatever cookie was sent: no `Vary: Cookie` (see below)."""
    request.environ[_COOKIELESS] = True


def _no_vary_on_cookie(response: Response) -> Response:
    """Runs after every other after_request hook. Since Flask 3.1.3 any touch of `session` marks it
    accessed (so `Vary: Cookie`), and Flask-Login touches it on every response and in every
    template. A public page requested without a cookie is the same for every visitor (flashes
    need a cookie), so it should not vary by cookie: shared caches may then keep it."""
    if request.environ.get(_COOKIELESS) and not session.modified:
        session.accessed = False
    return response


def init_app(app: Flask) -> None:
    # Inserted first in the list: Flask runs after_request hooks in reverse, so this runs last.
    hooks = app.after_request_funcs.setdefault(None, [])
    if _no_vary_on_cookie not in hooks:
        hooks.insert(0, _no_vary_on_cookie)


def conditional_page(per_session: bool = False, store: bool = True) -> Callable:
    """Decorator for GET views: serve the stored render (or 304) while the content is unchanged.

    `store=False`: ETag/304 only, render every time (search: endless query strings, typed text).
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            if _has_flashes():
                response = make_response(view(*args, **kwargs))
                response.headers["Cache-Control"] = "private, no-store"
                return response
            if per_session:
                return _per_session_page(view, args, kwargs)
            if not _session_cookie_sent():
                mark_cookieless()
            return _public_page(view, args, kwargs, store)

        return wrapper

    return decorate
