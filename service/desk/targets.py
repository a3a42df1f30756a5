"""Response-time targets: when a ticket's first answer is due, and which tickets are overdue.

Two targets from the configuration:
* URGENT_RESPONSE_TARGET_HOURS (default 4) for urgent tickets, counted round the clock: a
  red flag does not wait for Monday.
* RESPONSE_TARGET_HOURS (default 48, "two working days") for the rest, counted on working
  days only: Saturday and Sunday hours do not count. A question sent on Friday at 15:00 is
  due on Tuesday at 15:00; one sent on Saturday is due on Wednesday at 00:00.
Days are UTC calendar days (every timestamp here is naive UTC); public holidays and office
hours are not modelled.

The clock stops at the first surgeon reply (`first_response_at`); a ticket is overdue while
it is open (new, triaged, assigned), unanswered and past its due time.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_, or_

from service.tickets.models import OPEN_STATUSES, Ticket, open_ticket

DAY = timedelta(days=1)
SATURDAY = 5


def _is_weekend(moment: datetime) -> bool:
    return moment.weekday() >= SATURDAY


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def add_working_time(start: datetime, amount: timedelta) -> datetime:
    """`start` plus `amount` of weekday time (weekend hours skipped)."""
    moment, left = start, amount
    while True:
        if _is_weekend(moment):
            moment = _midnight(moment) + DAY * (7 - moment.weekday())  # Monday 00:00
            continue
        day_end = _midnight(moment) + DAY
        if moment + left <= day_end:
            return moment + left
        left -= day_end - moment
        moment = day_end


def subtract_working_time(end: datetime, amount: timedelta) -> datetime:
    """The latest start whose working-time due moment is at or before `end` (the inverse of add)."""
    moment, left = end, amount
    while True:
        if _is_weekend(moment - timedelta(microseconds=1)):
            # Step back to the end of the previous Friday (Saturday 00:00).
            moment = _midnight(moment - timedelta(microseconds=1))
            while _is_weekend(moment - timedelta(microseconds=1)):
                moment -= DAY
            continue
        day_start = _midnight(moment - timedelta(microseconds=1))
        if moment - left >= day_start:
            return moment - left
        left -= moment - day_start
        moment = day_start


def target_hours(urgent: bool) -> float:
    config = current_app.config
    return float(config["URGENT_RESPONSE_TARGET_HOURS"] if urgent else config["RESPONSE_TARGET_HOURS"])


def due_at(created_at: datetime, urgent: bool) -> datetime:
    """When the first answer to a ticket created at `created_at` is due."""
    hours = timedelta(hours=target_hours(urgent))
    return created_at + hours if urgent else add_working_time(created_at, hours)


def due_for(ticket: Ticket) -> datetime:
    return due_at(ticket.created_at, ticket.urgent)


def created_cutoffs(now: datetime, *, extra: float = 0.0) -> tuple[datetime, datetime]:
    """(urgent cutoff, routine cutoff): tickets created before these are past due at `now`.

    `extra` lengthens each target by that fraction of itself (the escalation grace).
    """
    urgent_hours = timedelta(hours=target_hours(True) * (1 + extra))
    routine_hours = timedelta(hours=target_hours(False) * (1 + extra))
    return now - urgent_hours, subtract_working_time(now, routine_hours)


def awaiting_answer() -> ColumnElement[bool]:
    """Open and no surgeon has answered yet: the response clock is running."""
    return and_(open_ticket(), Ticket.first_response_at.is_(None))


def overdue_clause(now: datetime, *, extra: float = 0.0) -> ColumnElement[bool]:
    """SQL: the ticket is waiting for its first answer past its due time (plus `extra` grace)."""
    urgent_cutoff, routine_cutoff = created_cutoffs(now, extra=extra)
    return and_(
        awaiting_answer(),
        or_(
            and_(Ticket.urgent.is_(True), Ticket.created_at < urgent_cutoff),
            and_(Ticket.urgent.is_(False), Ticket.created_at < routine_cutoff),
        ),
    )


def is_overdue(ticket: Ticket, now: datetime) -> bool:
    return (ticket.status in OPEN_STATUSES and ticket.first_response_at is None
            and due_for(ticket) < now)


def describe_due(ticket: Ticket, now: datetime) -> str:
    """'due in 5 h', 'overdue by 2 d', or '' once answered or closed."""
    if ticket.status not in OPEN_STATUSES or ticket.first_response_at is not None:
        return ""
    due = due_for(ticket)
    if due < now:
        return f"overdue by {human_duration(now - due)}"
    return f"due in {human_duration(due - now)}"


def human_duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} d"
