"""OpenAPI 3.1 for /api/v1, built from the code so no endpoint can be left out.

Each API view declares its operation with `@document(...)` next to the code; `build_spec(app)`
walks `app.url_map` for every rule under /api/v1 and every method, so an endpoint that is
routed but not documented still appears (marked undocumented) instead of silently missing.

Any room can document its own /api/v1 views:

    from service.content.openapi import document, json_body, ref

    @bp.route("/questions", methods=["POST"])
    @document(summary="Ask a question", tags=["questions"],
              request=ref("QuestionRequest"),
              responses={202: ref("QuestionAccepted"), 415: None, 422: None, 429: None})
    def ask(): ...

`responses` maps a status to a schema (a dict or `ref(name)`), or None for the shared error
body. Path parameters come from the rule (`<slug>`, `<int:faq_id>`); query parameters go in
`parameters=[query("limit", {"type": "integer"}, "...")]`.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from service.url_numbers import MAX_PATH_INT

API_PREFIX = "/api/v1"
_ATTR = "__openapi__"

STATUS_TEXT = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No content", 301: "Moved permanently",
    304: "Not modified", 400: "Bad request (query or JSON syntax)", 401: "Missing or invalid bearer token",
    403: "Role not allowed", 404: "Not found", 409: "Conflict", 413: "Body too large",
    415: "Send application/json", 422: "Validation failed", 429: "Too many requests",
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def query(name: str, schema: dict[str, Any], description: str = "", *, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def document(
    *,
    summary: str,
    description: str = "",
    tags: Iterable[str] = (),
    parameters: Iterable[dict[str, Any]] = (),
    request: dict[str, Any] | None = None,
    responses: dict[int, dict[str, Any] | None] | None = None,
    auth: bool = False,
    methods: Iterable[str] | None = None,
) -> Callable:
    """Record the OpenAPI operation for a view (for `methods`, default: all the rule's methods)."""

    def decorate(view: Callable) -> Callable:
        specs: dict[str, dict[str, Any]] = dict(getattr(view, _ATTR, {}))
        operation = {
            "summary": summary, "description": description, "tags": list(tags),
            "parameters": list(parameters), "request": request,
            "responses": dict(responses or {200: None}), "auth": auth,
        }
        for method in (methods or ["*"]):
            specs[method.upper()] = operation
        setattr(view, _ATTR, specs)
        return view

    return decorate


def _operation_for(view: Callable, method: str) -> dict[str, Any] | None:
    # Decorators that wrap (rate limits) keep __wrapped__; look through them.
    seen = 0
    while view is not None and seen < 10:
        specs = getattr(view, _ATTR, None)
        if specs:
            return specs.get(method) or specs.get("*")
        view = getattr(view, "__wrapped__", None)
        seen += 1
    return None


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "examples": ["validation_failed"]},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True,
                           "description": "Field name -> list of messages (validation), or details."},
            },
        }
    },
}
_DT = {"type": ["string", "null"], "format": "date-time", "description": "ISO 8601, UTC, with Z"}
_SECTION_REF = {"type": "object", "properties": {"slug": {"type": "string"}, "title": {"type": "string"},
                                                 "topic": {"type": "string", "enum": ["spine", "brain", "tos"]}}}
_TAG_REF = {"type": "object", "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}}
_TOPIC = {"type": "string", "enum": ["spine", "brain", "tos"]}
_SLUG = {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$", "maxLength": 120}


def _list_of(name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["meta", "items"],
        "properties": {
            "meta": {"type": "object", "required": ["total_count"], "properties": {
                "total_count": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
                "next_cursor": {"type": ["string", "null"],
                                "description": "Paged lists: pass as `after` for the next page; null on the last"},
                "next": {"type": ["string", "null"], "description": "Paged lists: the next page's URL; null on the last"},
            }},
            "items": {"type": "array", "items": ref(name)},
        },
    }


SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": ERROR_SCHEMA,
    "Article": {
        "type": "object",
        "description": "With `fields=` only the named properties are present. body_md, status, "
                       "seo_description and version are only shown to staff (bearer token).",
        "properties": {
            "slug": _SLUG, "title": {"type": "string"}, "summary": {"type": "string"},
            "body_html": {"type": "string", "description": "Sanitised HTML rendered from Markdown"},
            "section": {"oneOf": [_SECTION_REF, {"type": "null"}]},
            "tags": {"type": "array", "items": _TAG_REF},
            "published_at": _DT, "updated_at": _DT,
            "url": {"type": "string", "format": "uri", "description": "Public page"},
            "body_md": {"type": "string"}, "seo_description": {"type": "string"},
            "status": {"type": "string", "enum": ["draft", "scheduled", "published"]},
            "version": {"type": "integer"},
        },
    },
    "ArticleList": _list_of("Article"),
    "ArticleWrite": {
        "type": "object", "additionalProperties": False,
        "description": "POST needs slug and title; PUT accepts any subset. status=published with a "
                       "future published_at schedules the article.",
        "properties": {
            "slug": _SLUG, "title": {"type": "string", "maxLength": 200}, "summary": {"type": "string"},
            "body_md": {"type": "string", "description": "Markdown (alias: body)"},
            "body": {"type": "string", "description": "Alias of body_md"},
            "seo_description": {"type": "string", "maxLength": 300},
            "section": {"oneOf": [_SLUG, {"type": "null"}]},
            "tags": {"type": "array", "maxItems": 20, "items": {"oneOf": [
                {"type": "string"}, {"type": "object", "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}}]}},
            "status": {"type": "string", "enum": ["draft", "published"]},
            "published_at": _DT,
            "note": {"type": "string", "maxLength": 200, "description": "Revision note"},
        },
    },
    "Revision": {"type": "object", "properties": {
        "number": {"type": "integer"}, "title": {"type": "string"}, "slug": {"type": "string"},
        "summary": {"type": "string"}, "body_md": {"type": "string"}, "section_id": {"type": ["integer", "null"]},
        "tags": {"type": "array", "items": {"type": "string"}}, "status": {"type": "string"},
        "published_at": _DT, "note": {"type": "string"}, "author": {"type": ["string", "null"]},
        "created_at": _DT}},
    "PreviewToken": {"type": "object", "required": ["token", "expires_at", "url"], "properties": {
        "token": {"type": "string"}, "expires_at": _DT, "url": {"type": "string", "format": "uri"}}},
    "RevisionList": _list_of("Revision"),
    "Rollback": {"type": "object", "required": ["revision"], "additionalProperties": False,
                 "properties": {"revision": {"type": "integer", "minimum": 1}}},
    "Section": {"type": "object", "properties": {
        "slug": _SLUG, "title": {"type": "string"}, "topic": _TOPIC, "description": {"type": "string"},
        "position": {"type": "integer"}, "article_count": {"type": "integer"},
        "url": {"type": "string", "format": "uri"}}},
    "SectionList": _list_of("Section"),
    "SectionWrite": {"type": "object", "additionalProperties": False, "properties": {
        "slug": _SLUG, "title": {"type": "string"}, "topic": _TOPIC, "description": {"type": "string"},
        "position": {"type": "integer"}}},
    "Tag": {"type": "object", "properties": {
        "slug": {"type": "string"}, "name": {"type": "string"}, "article_count": {"type": "integer"},
        "url": {"type": "string", "format": "uri"}}},
    "TagList": _list_of("Tag"),
    "Faq": {"type": "object", "properties": {
        "id": {"type": "integer"}, "question": {"type": "string"}, "answer_html": {"type": "string"},
        "topic": _TOPIC, "section": {"oneOf": [_SECTION_REF, {"type": "null"}]},
        "learn_more": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {
            "text": {"type": "string"}, "url": {"type": "string", "format": "uri"},
            "article": {"type": ["string", "null"]}}}]},
        "position": {"type": "integer"}, "updated_at": _DT, "url": {"type": "string", "format": "uri"},
        "answer_md": {"type": "string"}, "status": {"type": "string"}, "version": {"type": "integer"}}},
    "FaqList": _list_of("Faq"),
    "FaqWrite": {"type": "object", "additionalProperties": False, "properties": {
        "question": {"type": "string", "maxLength": 500}, "answer_md": {"type": "string"},
        "answer": {"type": "string", "description": "Alias of answer_md"}, "topic": _TOPIC,
        "section": {"oneOf": [_SLUG, {"type": "null"}]}, "learn_more_article": {"oneOf": [_SLUG, {"type": "null"}]},
        "learn_more_text": {"type": "string", "maxLength": 300}, "position": {"type": "integer"},
        "status": {"type": "string", "enum": ["draft", "published"]}}},
    "SearchHit": {"type": "object", "properties": {
        "type": {"type": "string", "enum": ["article", "faq"]}, "title": {"type": "string"},
        "question": {"type": "string", "description": "FAQs only (same as title)"},
        "slug": {"type": "string", "description": "Articles only"}, "id": {"type": "integer", "description": "FAQs only"},
        "url": {"type": "string", "format": "uri"}, "snippet": {"type": "string"}, "score": {"type": "number"}}},
    "SearchResults": _list_of("SearchHit"),
    "QuestionRequest": {"type": "object", "required": ["name", "email", "question", "consent"], "properties": {
        "name": {"type": "string"}, "email": {"type": "string", "format": "email"},
        "question": {"type": "string"}, "consent": {"type": "boolean", "const": True},
        "topic": {"type": "string", "enum": ["", "spine", "brain", "tos"]}}},
    "QuestionAccepted": {"type": "object", "required": ["reference", "urgent"], "properties": {
        "reference": {"type": "string", "pattern": "^Q-[0-9A-Z]{4}-[0-9A-Z]{4}$"},
        "urgent": {"type": "boolean"}, "emergency_advice": {"type": ["string", "null"]}}},
}

# Endpoints owned by other rooms, used only if their view carries no @document.
FALLBACK_OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("/questions", "POST"): {
        "summary": "Ask the clinic a question (patient intake)", "description": "No auth; rate limited.",
        "tags": ["questions"], "parameters": [], "request": ref("QuestionRequest"),
        "responses": {202: ref("QuestionAccepted"), 400: None, 413: None, 415: None, 422: None, 429: None},
        "auth": False,
    },
}


def _path_and_params(rule) -> tuple[str, list[dict[str, Any]]]:
    params = []

    def replace(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        # The bound every <int:...> has (url_numbers.py): a larger number is a 404, documented.
        schema = {"type": "integer", "minimum": 0, "maximum": MAX_PATH_INT} if converter in ("int",) \
            else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    path = re.sub(r"<(?:([a-z_]+)(?:\([^)]*\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>", replace, rule.rule)
    return path, params


def _responses(spec: dict[int, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, schema in sorted(spec.items()):
        entry: dict[str, Any] = {"description": STATUS_TEXT.get(status, "Response")}
        if status >= 400 and schema is None:
            entry["content"] = {"application/json": {"schema": ref("Error")}}
        elif schema is not None:
            entry["content"] = {"application/json": {"schema": schema}}
        out[str(status)] = entry
    return out


def _operation(spec: dict[str, Any], endpoint: str, method: str, path_params: list[dict[str, Any]]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": f"{endpoint.replace('.', '_')}_{method.lower()}",
        "summary": spec["summary"],
        "responses": _responses(spec["responses"]),
    }
    if spec.get("description"):
        op["description"] = spec["description"]
    if spec.get("tags"):
        op["tags"] = spec["tags"]
    params = path_params + list(spec.get("parameters", []))
    if params:
        op["parameters"] = params
    if spec.get("request") is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": spec["request"]}}}
    if spec.get("auth"):
        op["security"] = [{"bearerAuth": []}]
        op["responses"].setdefault("401", {"description": STATUS_TEXT[401],
                                           "content": {"application/json": {"schema": ref("Error")}}})
        op["responses"].setdefault("403", {"description": STATUS_TEXT[403],
                                           "content": {"application/json": {"schema": ref("Error")}}})
    return op


def build_spec(app: Flask) -> dict[str, Any]:
    """The whole OpenAPI document for every /api/v1 rule registered on `app`."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not (rule.rule == API_PREFIX or rule.rule.startswith(API_PREFIX + "/")):
            continue
        path, path_params = _path_and_params(rule)
        relative = path[len(API_PREFIX):] or "/"
        view = app.view_functions.get(rule.endpoint)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            spec = _operation_for(view, method) if view else None
            if spec is None:
                spec = FALLBACK_OPERATIONS.get((relative, method)) or {
                    "summary": f"{method} {relative} (undocumented)", "responses": {200: None}}
            paths.setdefault(relative, {})[method.lower()] = _operation(spec, rule.endpoint, method, path_params)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "neurodesk API",
            "version": "1",
            "description": "Clinic content (articles, sections, tags, FAQs, search) and patient questions. "
                           "Reads need no auth; writes need `Authorization: Bearer <staff API token>`.",
        },
        "servers": [{"url": app.config.get("PUBLIC_BASE_URL", "") + API_PREFIX}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "flask --app service staff token --email ..."}},
        },
    }
