"""JSON request bodies: one parser for every endpoint, with a nesting limit and a size limit.

Python's json module recurses once per level: a body nested a few thousand deep raised
RecursionError (a 500, issue 17 V3), and one nested hundreds deep was parsed and handed on to
code that recurses again. Every body read with `request.get_json()` (through the app's JSON
provider below) or `api_support.json_body()` goes through `loads` here, which counts the nesting
before parsing anything and refuses a body deeper than MAX_DEPTH with a 400. No endpoint takes more
than a few levels. Size comes first: MAX_CONTENT_LENGTH for every request, less for a view
marked with `body_limit`; past it the answer is a 413.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

import flask
from flask import current_app
from flask.json.provider import DefaultJSONProvider

from service.errors import BadRequest

MAX_DEPTH = 32
_BODY_LIMIT = "max_body_bytes"
# A JSON string, escapes included: brackets inside strings are text, not nesting.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")

F = TypeVar("F", bound=Callable[..., Any])


class NestedTooDeep(BadRequest):
    code = "json_too_deep"


def nesting_depth(raw: bytes, stop_after: int = MAX_DEPTH) -> int:
    """How deeply the arrays and objects in `raw` nest (counting stops just past `stop_after`)."""
    depth = deepest = 0
    for bracket in _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS):
        if bracket in b"[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_after:
                    break
        else:
            depth -= 1
    return deepest


def check_depth(raw: bytes) -> None:
    """400 (NestedTooDeep) when `raw` nests deeper than MAX_DEPTH."""
    # Nothing nests deeper than it opens: almost every body (and every session cookie) stops here.
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return
    if nesting_depth(raw) > MAX_DEPTH:
        raise NestedTooDeep(f"The JSON body is nested more than {MAX_DEPTH} levels deep.",
                            fields={"_body": [f"At most {MAX_DEPTH} levels of arrays and objects."]})


def loads(data: bytes | str) -> Any:
    """json.loads for request bodies: 400 (NestedTooDeep) past MAX_DEPTH, ValueError if not JSON."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    check_depth(raw)
    return json.loads(raw)


class JSONProvider(DefaultJSONProvider):
    """The app's `app.json`: what `request.get_json()` parses with (and signed session cookies,
    a few dozen bytes, two levels deep)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        check_depth(s.encode("utf-8", "surrogatepass") if isinstance(s, str) else s)
        return super().loads(s, **kwargs)


def body_limit(max_bytes: int) -> Callable[[F], F]:
    """Mark a view as taking at most `max_bytes` of body (413 above), below MAX_CONTENT_LENGTH.

    Put it right under the route decorator. Read by the Request class before any body is read,
    including by a rate limit's key function that runs before the view.
    """

    def decorate(view: F) -> F:
        setattr(view, _BODY_LIMIT, max_bytes)
        return view

    return decorate


class Request(flask.Request):
    """Flask's request with per-view body limits (`body_limit`)."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and self.url_rule is not None and current_app:
            view = current_app.view_functions.get(self.url_rule.endpoint)
            limit = getattr(view, _BODY_LIMIT, None)
            if limit is not None:
                return limit
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value
