"""The coordinators' overview: questions per topic per week, median first response, overdue.

The database counts per week and topic (a CASE picks the week: no date functions that differ
between SQLite and PostgreSQL) and, on PostgreSQL, takes each week's median; SQLite (the small
embedded set-up) has no median aggregate, so there the answered tickets' two timestamps come back
and Python takes it. Nothing reads a row per ticket into Python on PostgreSQL, however busy the
weeks were.
"""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from markupsafe import Markup
from sqlalchemy import case, func, literal_column, select

from service.desk import charts
from service.desk.targets import overdue_clause
from service.extensions import db
from service.mail.ticket_mail import TOPIC_NAMES
from service.tickets.models import Ticket, TicketStatus

WEEKS = 8


@dataclass(frozen=True)
class Overview:
    per_topic_chart: Markup
    response_chart: Markup
    overdue: int
    weeks: list[str]


def week_start(moment: datetime | date) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    return monday.strftime("%d %b").lstrip("0")


def build(now: datetime) -> Overview:
    first_week = week_start(now) - timedelta(weeks=WEEKS - 1)
    mondays = [first_week + timedelta(weeks=i) for i in range(WEEKS)]
    labels = [week_label(m) for m in mondays]
    starts = [datetime.combine(m, datetime.min.time()) for m in mondays]
    # Week number 0..7 (the CASE is grouped by its label: bound parameters repeated in a GROUP BY
    # would be different expressions to PostgreSQL).
    week = case(*[(Ticket.created_at >= start, i) for i, start in reversed(list(enumerate(starts)))], else_=0)
    recent = (Ticket.created_at >= starts[0], Ticket.status != TicketStatus.SPAM.value)

    per_week_topic: Counter[tuple[int, str]] = Counter()
    for number, tag, count in db.session.execute(
        select(week.label("week"), Ticket.tag, func.count()).where(*recent)
        .group_by(literal_column("week"), Ticket.tag)
    ):
        per_week_topic[(number, tag or "untriaged")] += count
    topics_seen = {topic for _, topic in per_week_topic}
    order = [t for t in (*TOPIC_NAMES, "untriaged") if t in topics_seen] + sorted(
        topics_seen - set(TOPIC_NAMES) - {"untriaged"})
    groups = {TOPIC_NAMES.get(t, t.capitalize()): [per_week_topic[(i, t)] for i in range(WEEKS)] for t in order}
    per_topic = charts.grouped_bar_chart(labels, groups, title="Questions per topic",
                                         unit="questions")
    medians = _median_response_hours(week, recent)
    response = charts.line_chart([(label, medians.get(i)) for i, label in enumerate(labels)],
                                 title="Median hours to first answer", unit="hours",
                                 target=float(current_app.config["RESPONSE_TARGET_HOURS"]))
    overdue = db.session.execute(select(func.count(Ticket.id)).where(overdue_clause(now))).scalar_one()
    return Overview(per_topic_chart=per_topic, response_chart=response, overdue=overdue, weeks=labels)


def _median_response_hours(week, recent) -> dict[int, float]:
    """Week number -> median hours from question to first answer, for weeks with answers."""
    answered = (*recent, Ticket.first_response_at.is_not(None))
    if db.session.get_bind().dialect.name == "postgresql":
        seconds = func.extract("epoch", Ticket.first_response_at - Ticket.created_at)
        rows = db.session.execute(
            select(week.label("week"), func.percentile_cont(0.5).within_group(seconds))
            .where(*answered).group_by(literal_column("week"))
        )
        return {number: float(median) / 3600 for number, median in rows}
    hours: dict[int, list[float]] = defaultdict(list)
    for number, created_at, first_response_at in db.session.execute(
        select(week, Ticket.created_at, Ticket.first_response_at).where(*answered)
    ):
        hours[number].append((first_response_at - created_at).total_seconds() / 3600)
    return {number: statistics.median(values) for number, values in hours.items()}
