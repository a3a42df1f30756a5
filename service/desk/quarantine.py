"""Quarantined inbound mail as the desk shows it: counted in "needs review", listed on its ticket,
released by a coordinator.

The inbound room owns the mail itself (service/mail/inbound): storing, deciding, releasing.
The desk only reads `InboundMessage` rows (read-only, bounded) and calls their
`release_quarantined(inbound_id, staff)` to act. Until that function exists, release answers
with a plain "not available yet" (GAP for the lead, see `release`).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from service.errors import Forbidden, NotFound, ServiceError
from service.extensions import db
from service.staff.models import Staff


def _models() -> Any:
    try:
        from service.mail.inbound import models
    except ImportError:  # the inbound room not merged yet: nothing is quarantined
        return None
    return models


def quarantined_count() -> int:
    models = _models()
    if models is None:
        return 0
    message = models.InboundMessage
    return db.session.execute(
        select(func.count(message.id)).where(message.status == models.InboundStatus.QUARANTINED.value)
    ).scalar_one()


def for_ticket(ticket_id: int, limit: int = 50) -> list[Any]:
    """Quarantined (and already decided) inbound mail linked to one ticket, oldest first."""
    models = _models()
    if models is None:
        return []
    message = models.InboundMessage
    return list(db.session.execute(
        select(message)
        .where(message.ticket_id == ticket_id,
               message.status.in_((models.InboundStatus.QUARANTINED.value, models.InboundStatus.REJECTED.value))
               | message.decided_at.is_not(None))
        .order_by(message.received_at, message.id)
        .limit(limit)
    ).scalars())


def _release_function() -> Callable[..., Any] | None:
    for module_name in ("service.mail.inbound.quarantine", "service.mail.inbound.store",
                        "service.mail.inbound.services", "service.mail.inbound"):
        try:
            module = __import__(module_name, fromlist=["release_quarantined"])
        except ImportError:
            continue
        function = getattr(module, "release_quarantined", None)
        if callable(function):
            return function
    return None


class ReleaseUnavailable(ServiceError):
    status = 503
    code = "release_unavailable"


def release(inbound_id: int, staff: Staff) -> Any:
    """Release one quarantined message (coordinators and admins); the caller commits."""
    if not staff.sees_all_tickets:
        raise Forbidden("Only coordinators and admins release quarantined mail.")
    models = _models()
    row = db.session.get(models.InboundMessage, inbound_id) if models is not None else None
    if row is None or row.status != models.InboundStatus.QUARANTINED.value:
        raise NotFound("No such quarantined email.")
    function = _release_function()
    if function is None:
        # GAP (lead): the inbound room's release_quarantined(inbound_id, staff) is not merged yet.
        raise ReleaseUnavailable("Releasing quarantined mail is not available yet.")
    return function(inbound_id, staff)
