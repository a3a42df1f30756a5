"""Celery entry point: `celery -A worker worker` and `celery -A worker beat`.

The Flask app is built on first use, not at import, so the web process can import
`worker.tasks` to enqueue work without building a second app.
"""
from __future__ import annotations

from functools import cache

from celery import Celery


@cache
def _celery() -> Celery:
    from service import create_app

    return create_app().extensions["celery"]


def __getattr__(name: str) -> Celery:
    if name in {"app", "celery"}:
        return _celery()
    raise AttributeError(name)
