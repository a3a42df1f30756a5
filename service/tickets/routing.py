"""Who answers a ticket: the least-busy available surgeon for its topic, or the coordinators."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import and_, func, or_, select

from service.extensions import db
from service.staff.models import Role, Staff, StaffSpecialty
from service.tickets.models import Ticket, open_ticket
from service.tickets.triage_port import Classification

SURGICAL_TOPICS = ("spine", "brain", "tos")


@dataclass(frozen=True)
class RoutingDecision:
    surgeon: Staff | None
    needs_review: bool
    why: str


def choose_surgeon(topic: str, today: date | None = None) -> Staff | None:
    """Active surgeon with this topic, not on leave, with the fewest open tickets; ties by id."""
    today = today or date.today()
    open_count = (
        select(func.count(Ticket.id))
        .where(Ticket.assignee_id == Staff.id, open_ticket())
        .correlate(Staff)
        .scalar_subquery()
    )
    return db.session.execute(
        select(Staff)
        .join(StaffSpecialty, and_(StaffSpecialty.staff_id == Staff.id, StaffSpecialty.topic == topic))
        .where(
            Staff.role == Role.SURGEON.value,
            Staff.active.is_(True),
            or_(Staff.on_leave_until.is_(None), Staff.on_leave_until < today),
        )
        .order_by(open_count, Staff.id)
        .limit(1)
    ).scalar_one_or_none()


def decide(result: Classification) -> RoutingDecision:
    """Uncertain or general questions go to a person first: a misrouted patient waits longest."""
    threshold = current_app.config.get("ROUTING_MIN_CONFIDENCE", 0.6)
    if result.tag not in SURGICAL_TOPICS:
        return RoutingDecision(None, True, f"topic {result.tag!r} needs a coordinator")
    if result.needs_review:
        return RoutingDecision(None, True, "the classifier asked for review")
    if result.confidence < threshold:
        return RoutingDecision(None, True, f"confidence {result.confidence:.2f} below {threshold:.2f}")
    surgeon = choose_surgeon(result.tag)
    if surgeon is None:
        return RoutingDecision(None, True, f"no {result.tag} surgeon available")
    return RoutingDecision(surgeon, False, f"assigned to {surgeon.name} ({result.tag})")
