"""Tickets and desk sessions for the desk tests, built with the real models and services."""
from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from service.config import Config
from service.extensions import db
from service.staff.models import Staff, utcnow
from service.tickets.models import Message, MessageKind, OutboundEmail, Ticket, TicketStatus

_refs = itertools.count(1)


def eager_celery() -> dict[str, object]:
    """The real Celery settings, run in-process: emails are 'delivered' into the dev mailbox."""
    config = Config(Path("/tmp"), environ={"SECRET_KEY": "x"}).CELERY
    config.update({"broker_url": "memory://", "result_backend": None, "task_always_eager": True})
    return config


def reference(n: int | None = None) -> str:
    n = next(_refs) if n is None else n
    digits = f"{n:08d}"
    return f"Q-{digits[:4]}-{digits[4:]}"


def make_ticket(*, assignee: Staff | None = None, tag: str | None = "spine", confidence: float = 0.9,
                urgent: bool = False, status: str | None = None, needs_review: bool = False,
                name: str = "Ann Patient", email: str = "ann@example.test",
                question: str = "My lower back hurts down my leg.", created_at: datetime | None = None,
                first_response_at: datetime | None = None) -> Ticket:
    created_at = created_at or utcnow()
    ticket = Ticket(
        reference=reference(), patient_name=name, patient_email=email, requested_topic=None, tag=tag,
        confidence=confidence, urgent=urgent, needs_review=needs_review,
        status=status or (TicketStatus.ASSIGNED.value if assignee else TicketStatus.TRIAGED.value),
        assignee_id=assignee.id if assignee else None, created_at=created_at, triaged_at=created_at,
        assigned_at=created_at if assignee else None, first_response_at=first_response_at,
    )
    ticket.reasons = ["matched words"]
    ticket.messages.append(Message(kind=MessageKind.PATIENT.value, body=question, created_at=created_at))
    db.session.add(ticket)
    db.session.commit()
    return ticket


def csrf_token(client) -> str:
    """A CSRF token of this client's session (from the login page when nobody is signed in)."""
    response = client.get("/desk/account/tokens")
    if response.status_code != 200:
        response = client.get("/desk/login")
    html = response.get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def emails(kind: str | None = None, ticket: Ticket | None = None) -> list[OutboundEmail]:
    query = select(OutboundEmail).order_by(OutboundEmail.id)
    if kind:
        query = query.where(OutboundEmail.kind == kind)
    if ticket is not None:
        query = query.where(OutboundEmail.ticket_id == ticket.id)
    return list(db.session.execute(query).scalars())


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def ago(**kwargs) -> datetime:
    return utcnow() - timedelta(**kwargs)
