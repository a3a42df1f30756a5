"""Conditional GETs for the public pages: ETags from the content version, 304 before any rendering.

Choice: `Cache-Control: public, no-cache` plus a strong ETag, not `max-age=60`. A correction to
medical advice must show at once (an editor who publishes and opens the article must not see the
old text from a browser or proxy cache for a minute), and a revalidation that ends in 304 costs
one small query (`content_version()`) and no template rendering, so freshness is cheap.

The ETag covers everything a public page depends on:
  * `content_version()`: changes with every content write (and with scheduled articles going live);
  * the page identity: path and query string;
  * a fingerprint of the templates and static files, so a deploy that changes markup does not
    answer 304 with yesterday's HTML.

Pages holding a CSRF token (/ask) are per-visitor: `private, no-cache`, and their ETag also
includes a hash of the session's raw CSRF secret, so a 304 only ever confirms a page that was
rendered for this very session (its token is still valid: WTF_CSRF_TIME_LIMIT is None). A page
rendered while the session carries flashed messages is never given an ETag or a shared-cache
header: the message belongs to one visitor.
"""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Response, current_app, make_response, request, session

PUBLIC = "public, no-cache"
PRIVATE = "private, no-cache"


def _file_fingerprint() -> str:
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


def _csrf_secret() -> str | None:
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    value = session.get(name)
    return value if isinstance(value, str) else None


def page_etag(*, per_session: bool = False) -> str | None:
    """The ETag this request's page would carry now; None when no safe ETag exists."""
    from service.content.services import content_version

    parts = [str(content_version()), _file_fingerprint(), request.full_path]
    if per_session:
        if current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
            return None  # an old page's token could have expired: always render afresh
        secret = _csrf_secret()
        if secret is None:
            return None
        parts.append(secret)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _has_flashes() -> bool:
    return bool(session.get("_flashes"))


def conditional_page(per_session: bool = False) -> Callable:
    """Decorator for GET views: answer 304 when the client's ETag still matches, else tag the page."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            cache_control = PRIVATE if per_session else PUBLIC
            if _has_flashes():
                response = make_response(view(*args, **kwargs))
                response.headers["Cache-Control"] = "private, no-store"
                return response
            etag = page_etag(per_session=per_session)
            if etag is not None and etag in request.if_none_match:
                response = Response(status=304)
                response.set_etag(etag)
                response.headers["Cache-Control"] = cache_control
                return response
            response = make_response(view(*args, **kwargs))
            if response.status_code == 200:
                if per_session and etag is None:
                    etag = page_etag(per_session=True)  # the render created the session's CSRF secret
                if etag is not None:
                    response.set_etag(etag)
                response.headers["Cache-Control"] = cache_control
            return response

        return wrapper

    return decorate
