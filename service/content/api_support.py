"""The API's edge: bearer-token auth, JSON body and query parsing, conditional GETs.

Every problem with a request becomes a typed ServiceError (400/401/403/415/422), so the
shared handler answers `{"error": {...}}`; bad input never reaches a 500.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request
from sqlalchemy.exc import IntegrityError

from service import json_bodies
from service.content import page_replay
from service.content.freshness import current_generation
from service.content.page_cache import mark_cookieless
from service.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)
from service.extensions import db
from service.staff.models import Role, Staff
from service.staff.services import staff_for_token

EDITOR_ROLES = (Role.ADMIN.value, Role.COORDINATOR.value)
# An OFFSET reads every row it skips; past this a list is walked with `after` (meta.next_cursor).
MAX_OFFSET = 10_000
MAX_CURSOR = 400
_STAFF_KEY = "neurodesk.api_staff"


def current_staff() -> Staff | None:
    """The staff member behind the bearer token, None without an Authorization header.
    A header that is present but wrong is a 401 even on reads: the caller meant to sign in."""
    # Cached per request (not on g: an app context can outlive one request, e.g. in tests).
    if _STAFF_KEY in request.environ:
        return request.environ[_STAFF_KEY]
    header = request.headers.get("Authorization")
    staff = None
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Use 'Authorization: Bearer <token>'.")
        staff = staff_for_token(token.strip())
        if staff is None:
            raise Unauthorized("The API token is invalid or revoked.")
    request.environ[_STAFF_KEY] = staff
    return staff


def require_editor() -> Staff:
    """Content writes: admins and coordinators; surgeons answer questions, they do not edit."""
    staff = current_staff()
    if staff is None:
        raise Unauthorized("This endpoint needs 'Authorization: Bearer <token>'.")
    if staff.role not in EDITOR_ROLES:
        raise Forbidden("Your role may not edit content.")
    return staff


def json_body() -> dict[str, Any]:
    """The request's JSON object: 415 if not JSON, 400 if malformed or too deep, 422 if not an object."""
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise UnsupportedMediaType("Send the body as application/json.")
    raw = request.get_data(cache=True)  # 413 from Werkzeug past MAX_CONTENT_LENGTH
    try:
        data = json_bodies.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("The body is not valid JSON.", code="invalid_json") from None
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.", fields={"body": ["Send a JSON object."]})
    return data


def int_arg(name: str, default: int, minimum: int, maximum: int) -> int:
    value = request.args.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value) if len(value) <= 12 else None
    except ValueError:
        number = None
    if number is None or not minimum <= number <= maximum:
        raise BadRequest(f"Invalid {name}.", fields={name: [f"A whole number from {minimum} to {maximum}."]},
                         code="invalid_query")
    return number


def page_args(default_limit: int = 20) -> tuple[int, int, str | None]:
    """`limit`, `offset` (up to MAX_OFFSET) and the cursor `after` (checked by the list itself)."""
    limit = int_arg("limit", default_limit, 1, 100)
    raw_offset = request.args.get("offset", "")
    if raw_offset.isdigit() and len(raw_offset) <= 12 and int(raw_offset) > MAX_OFFSET:
        raise BadRequest("The offset is too large.", code="invalid_query", fields={"offset": [
            f"At most {MAX_OFFSET}; walk further with after= (each page's meta.next_cursor)."]})
    offset = int_arg("offset", 0, 0, MAX_OFFSET)
    after = request.args.get("after")
    if after is not None and (not after or len(after) > MAX_CURSOR):
        raise BadRequest("Invalid after.", fields={"after": ["Use meta.next_cursor of the page before, unchanged."]},
                         code="invalid_query")
    if after is not None and offset:
        raise BadRequest("Use offset or after, not both.", fields={"offset": ["Leave out offset with after."]},
                         code="invalid_query")
    return limit, offset, after


def choice_arg(name: str, choices: tuple[str, ...], default: str | None = None) -> str | None:
    value = request.args.get(name)
    if value is None or value == "":
        return default
    if value not in choices:
        raise BadRequest(f"Invalid {name}.", fields={name: [f"Choose one of: {', '.join(choices)}."]},
                         code="invalid_query")
    return value


def text_arg(name: str, max_length: int = 200) -> str | None:
    """A free-text query argument; NUL and over-long input are trimmed, never an error."""
    value = request.args.get(name)
    if value is None:
        return None
    return value.replace("\x00", " ")[:max_length]


def fields_arg(allowed: tuple[str, ...]) -> tuple[str, ...] | None:
    value = request.args.get("fields")
    if not value:
        return None
    names = tuple(dict.fromkeys(n.strip() for n in value.split(",") if n.strip()))
    unknown = [n[:40] for n in names if n not in allowed]
    if unknown:
        raise BadRequest(f"Unknown field(s): {', '.join(unknown)}.",
                         fields={"fields": [f"Unknown: {', '.join(unknown)}. Allowed: {', '.join(allowed)}."]},
                         code="invalid_query")
    return names or None


def commit() -> None:
    """End the request's transaction; a unique-key race (two editors, one slug) is a 409."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("That conflicts with existing content (a slug already in use?).") from None


def cached_read(build: Callable[[], Any]) -> Response:
    """A GET answered with an ETag over the content version, the URL and who asks; 304 when the
    client's copy is current. Anonymous answers are built once per content version and kept in
    memory (see freshness.py for why that is never stale); staff answers are private (they may
    include drafts) and built each time.

    `public, no-cache`, not `max-age`: a correction must reach API clients on their next request;
    revalidating costs them a 304 and us no database work.
    """
    staff = current_staff()
    generation = current_generation()
    key = request.full_path
    if staff is None:
        mark_cookieless()  # API reads never look at cookies (bearer tokens only)
        etag = generation.entries.get(("api-etag", key))
        if etag is None:
            etag = _api_etag(generation.version, key, "-")
            generation.remember(("api-etag", key), etag)
        page_replay.mark_public(generation, etag)  # kept only if the answer is a 200 or 304
        if request.if_none_match.contains(etag):
            response = Response(status=304)
        else:
            stored = generation.entries.get(("api", key))
            if stored is None:
                response = jsonify(build())
                # Stored in this request's generation: a build racing a publish never lands in
                # the newer generation (see freshness.py).
                generation.remember(("api", key), response.get_data())
            else:
                response = Response(stored, mimetype="application/json")
        cache_control = "public, no-cache"
    else:
        etag = _api_etag(generation.version, key, str(staff.id))
        response = Response(status=304) if request.if_none_match.contains(etag) else jsonify(build())
        cache_control = "private, no-cache"
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    response.vary.add("Authorization")
    if staff is not None:
        db.session.commit()  # keep the token's last_used_at
    return response


def _api_etag(version: str, key: str, who: str) -> str:
    return hashlib.sha256(f"{version}|{key}|{who}".encode()).hexdigest()[:32]


def list_body(items: list[dict[str, Any]], total: int, limit: int | None = None, offset: int | None = None,
              *, next_cursor: str | None = None, paged: bool = False) -> dict[str, Any]:
    """`{"meta": {...}, "items": [...]}`. A paged list's meta also says where the next page
    starts: `next_cursor`, and `next`, this request's URL with `after` set to it (both null on
    the last page)."""
    meta: dict[str, Any] = {"total_count": total}
    if limit is not None:
        meta.update(limit=limit, offset=offset or 0)
    if paged:
        meta.update(next_cursor=next_cursor, next=_next_url(next_cursor) if next_cursor else None)
    return {"meta": meta, "items": items}


def _next_url(cursor: str) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("offset", "after")]
    return request.path + "?" + urlencode([*args, ("after", cursor)])
