"""Thin tasks: take ids, call a service, hold no ORM objects across calls."""
from __future__ import annotations

from celery import shared_task


@shared_task(name="neurodesk.ping")
def ping() -> str:
    return "pong"
