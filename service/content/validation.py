"""Field rules for content, shared by the services, the importer and the API.

Each `clean_*` function takes a plain mapping (JSON body, form data, import item) and returns
a normalised dict of the keys that were present, or raises ValidationFailed with every
problem in `fields` at once, so an editor sees all mistakes in one round trip.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from service.content.models import TOPICS
from service.errors import ValidationFailed

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 120
TAG_SLUG_MAX = 80
STATUSES = ("draft", "published")
MAX_TAGS = 20
MAX_MARKDOWN = 200_000

ARTICLE_FIELDS = ("slug", "title", "summary", "body_md", "seo_description", "section", "tags",
                  "status", "published_at", "note")
SECTION_FIELDS = ("slug", "title", "topic", "description", "position")
FAQ_FIELDS = ("question", "answer_md", "topic", "section", "learn_more_article", "learn_more_text",
              "position", "status")
# Friendlier names accepted on input (the import format and the API say "body"/"answer").
ALIASES = {"body": "body_md", "answer": "answer_md"}


def is_slug(value: object, max_length: int = SLUG_MAX) -> bool:
    return isinstance(value, str) and 0 < len(value) <= max_length and SLUG_RE.match(value) is not None


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self, what: str) -> None:
        if self.fields:
            names = ", ".join(sorted(self.fields))
            raise ValidationFailed(f"Invalid {what}: check {names}.", fields=self.fields)


def _normalise_keys(data: Mapping[str, Any], allowed: tuple[str, ...], errors: _Errors) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise ValidationFailed("Expected an object.", fields={"body": ["Send a JSON object."]})
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = ALIASES.get(key, key)
        if name not in allowed:
            errors.add(str(key), "Unknown field.")
        elif name in out:
            errors.add(str(key), f"Given twice (as {name!r} and an alias).")
        else:
            out[name] = value
    return out


def _text(errors: _Errors, data: dict[str, Any], name: str, *, max_length: int,
          required: bool = False, nullable: bool = False) -> None:
    if name not in data:
        if required:
            errors.add(name, "This field is required.")
        return
    value = data[name]
    if value is None and nullable:
        data[name] = ""
        return
    if not isinstance(value, str):
        errors.add(name, "Must be a string.")
        return
    # PostgreSQL text cannot hold NUL, and no clinic text needs control characters.
    if "\x00" in value:
        errors.add(name, "Must not contain NUL characters.")
        return
    value = value.strip() if max_length <= 1000 else value
    if required and not value:
        errors.add(name, "This field is required.")
    elif len(value) > max_length:
        errors.add(name, f"At most {max_length} characters.")
    else:
        data[name] = value


def _slug(errors: _Errors, data: dict[str, Any], name: str, *, required: bool, nullable: bool = False,
          max_length: int = SLUG_MAX) -> None:
    if name not in data:
        if required:
            errors.add(name, "This field is required.")
        return
    value = data[name]
    if value is None and nullable:
        return
    if not is_slug(value, max_length):
        errors.add(name, f"Use lower-case letters, digits and single hyphens (at most {max_length}).")


def _int(errors: _Errors, data: dict[str, Any], name: str, *, minimum: int = 0, maximum: int = 1_000_000) -> None:
    if name not in data:
        return
    value = data[name]
    # bool is an int in Python; `true` is not a position.
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        errors.add(name, f"Must be a whole number from {minimum} to {maximum}.")


def _choice(errors: _Errors, data: dict[str, Any], name: str, choices: tuple[str, ...], *, required: bool = False) -> None:
    if name not in data:
        if required:
            errors.add(name, "This field is required.")
        return
    if data[name] not in choices:
        errors.add(name, f"Choose one of: {', '.join(choices)}.")


def parse_datetime(value: object) -> datetime:
    """ISO 8601 (with Z or an offset; naive means UTC) to naive UTC. Raises ValueError."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and 0 < len(value) <= 40:
        moment = datetime.fromisoformat(value.strip())
    else:
        raise ValueError("not a date-time")
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _datetime(errors: _Errors, data: dict[str, Any], name: str) -> None:
    if name not in data or data[name] is None:
        return
    try:
        data[name] = parse_datetime(data[name])
    except (ValueError, OverflowError):
        errors.add(name, "Use an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z.")


def _tags(errors: _Errors, data: dict[str, Any]) -> None:
    """Tags as slugs ("back-pain") or objects ({"slug": "back-pain", "name": "Back pain"})."""
    if "tags" not in data:
        return
    value = data["tags"]
    if isinstance(value, dict):  # already cleaned ({slug: name or None}), e.g. by the importer
        value = [{"slug": slug, "name": name} for slug, name in value.items()]
    if not isinstance(value, list) or len(value) > MAX_TAGS:
        errors.add("tags", f"Send a list of at most {MAX_TAGS} tag slugs.")
        return
    tags: dict[str, str | None] = {}
    for item in value:
        slug, name = (item.get("slug"), item.get("name")) if isinstance(item, dict) else (item, None)
        if not is_slug(slug, TAG_SLUG_MAX):
            errors.add("tags", f"{str(slug)[:40]!r} is not a tag slug (lower-case words joined by hyphens).")
            continue
        if name is not None and (not isinstance(name, str) or not name.strip() or len(name) > 80 or "\x00" in name):
            errors.add("tags", f"Tag {slug!r}: a name is 1 to 80 characters.")
            continue
        tags[slug] = name.strip() if isinstance(name, str) else tags.get(slug)
    data["tags"] = tags


def clean_article_fields(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Validate an article's fields; with partial=False slug and title are required."""
    errors = _Errors()
    out = _normalise_keys(data, ARTICLE_FIELDS, errors)
    _slug(errors, out, "slug", required=not partial)
    _text(errors, out, "title", max_length=200, required=not partial)
    _text(errors, out, "summary", max_length=1000, nullable=True)
    _text(errors, out, "body_md", max_length=MAX_MARKDOWN, nullable=True)
    _text(errors, out, "seo_description", max_length=300, nullable=True)
    _slug(errors, out, "section", required=False, nullable=True)
    _tags(errors, out)
    _choice(errors, out, "status", STATUSES)
    _datetime(errors, out, "published_at")
    _text(errors, out, "note", max_length=200, nullable=True)
    errors.raise_if_any("article")
    return out


def clean_section_fields(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    errors = _Errors()
    out = _normalise_keys(data, SECTION_FIELDS, errors)
    _slug(errors, out, "slug", required=not partial)
    _text(errors, out, "title", max_length=200, required=not partial)
    _choice(errors, out, "topic", TOPICS, required=not partial)
    _text(errors, out, "description", max_length=1000, nullable=True)
    _int(errors, out, "position")
    errors.raise_if_any("section")
    return out


def clean_faq_fields(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    errors = _Errors()
    out = _normalise_keys(data, FAQ_FIELDS, errors)
    _text(errors, out, "question", max_length=500, required=not partial)
    _text(errors, out, "answer_md", max_length=20_000, required=not partial)
    _choice(errors, out, "topic", TOPICS, required=not partial)
    _slug(errors, out, "section", required=False, nullable=True)
    _slug(errors, out, "learn_more_article", required=False, nullable=True)
    _text(errors, out, "learn_more_text", max_length=300, nullable=True)
    _int(errors, out, "position")
    _choice(errors, out, "status", STATUSES)
    errors.raise_if_any("FAQ")
    return out
