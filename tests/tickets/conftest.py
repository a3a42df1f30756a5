from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.config import Config
from service.extensions import db
from service.tickets.models import Message, OutboundEmail, OutboxEvent, Ticket


def celery_config(broker_url: str = "memory://", **overrides: object) -> dict[str, object]:
    """The real Celery settings with another broker (in-memory by default: sent tasks go nowhere)."""
    config = Config(Path("/tmp"), environ={"SECRET_KEY": "x"}).CELERY
    config.update({"broker_url": broker_url, "result_backend": None}, **overrides)
    return config


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CELERY": celery_config()}


@pytest.fixture
def csrf_token(client) -> str:
    """A CSRF token from a real page's form (the desk login), bound to this client's session."""
    html = client.get("/desk/login").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Ticket, Message, OutboxEvent, OutboundEmail)
    }


NOTHING = {"ticket": 0, "ticket_message": 0, "outbox_event": 0, "outbound_email": 0}
