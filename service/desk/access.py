"""Who may see which desk page, in one place.

Roles: admin (everything, including staff availability), coordinator (every ticket, the
queues and charts), surgeon (only tickets assigned to them). Anonymous visitors are sent
to the login page; a signed-in person with the wrong role gets a 403 page.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, true

from service.extensions import login_manager
from service.staff.models import Staff

F = TypeVar("F", bound=Callable[..., Any])


def me() -> Staff:
    """The signed-in staff member as a plain ORM object (not the `current_user` proxy),
    safe to store in relationships and sessions."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def roles_required(*roles: str) -> Callable[[F], F]:
    """Allow only signed-in staff whose role is one of `roles` (Role values)."""
    allowed = frozenset(str(getattr(r, "value", r)) for r in roles)
    if not allowed:
        raise ValueError("roles_required needs at least one role")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403, description="Your role does not give access to this page.")
            return view(*args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]  (read by the role-matrix test)
        return wrapper  # type: ignore[return-value]

    return decorator


def visible_tickets_filter(staff: Staff, ticket_model: Any = None) -> ColumnElement[bool]:
    """The WHERE clause limiting ticket queries to what `staff` may see.

    Coordinators and admins (`staff.sees_all_tickets`) see every ticket; a surgeon sees only
    tickets assigned to them. Every ticket query on the desk goes through this, and a ticket
    outside it must answer 404 (not 403): a surgeon must not even learn that a reference
    exists. Usage: `select(Ticket).where(visible_tickets_filter(current_user))`.
    """
    if staff.sees_all_tickets:
        return true()
    if ticket_model is None:
        from service.tickets.models import Ticket as ticket_model  # the queues' model; lazy to keep imports one-way
    return ticket_model.assignee_id == staff.id


def can_see_ticket(staff: Staff, ticket: Any) -> bool:
    """The same rule for one loaded ticket (the ticket page, before showing anything)."""
    return staff.sees_all_tickets or getattr(ticket, "assignee_id", None) == staff.id
