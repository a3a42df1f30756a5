"""Training examples: the built-in base corpus and validation of examples handed in from outside."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources

TOPICS = ("spine", "brain", "tos", "general")

Example = tuple[str, str]


@cache
def base_examples() -> tuple[Example, ...]:
    """Hand-written patient-style messages shipped with the package (data/base_examples.jsonl)."""
    text = resources.files("service.triage").joinpath("data/base_examples.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return tuple(checked_examples((row["text"], row["tag"]) for row in rows))


def checked_examples(examples: Iterable[Example]) -> list[Example]:
    """Examples with a known topic and some text; anything else is a caller's bug, so it raises."""
    checked = []
    for text, tag in examples:
        if tag not in TOPICS:
            raise ValueError(f"unknown topic {tag!r}; expected one of {TOPICS}")
        if not isinstance(text, str) or not text.strip():
            raise ValueError("a training example needs non-empty text")
        checked.append((text, tag))
    return checked
