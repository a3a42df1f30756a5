"""The coordinators' overview: questions per topic per week, median first response, overdue.

The queries read two small columns of the last few weeks' tickets (bounded by `MAX_ROWS`) and
aggregate in Python: the same code on SQLite and PostgreSQL, no date functions that differ.
"""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from markupsafe import Markup
from sqlalchemy import func, select

from service.desk import charts
from service.desk.targets import overdue_clause
from service.extensions import db
from service.mail.ticket_mail import TOPIC_NAMES
from service.tickets.models import Ticket, TicketStatus

WEEKS = 8
MAX_ROWS = 20_000


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
    since = datetime.combine(first_week, datetime.min.time())
    mondays = [first_week + timedelta(weeks=i) for i in range(WEEKS)]
    labels = [week_label(m) for m in mondays]

    rows = db.session.execute(
        select(Ticket.created_at, Ticket.tag, Ticket.first_response_at)
        .where(Ticket.created_at >= since, Ticket.status != TicketStatus.SPAM.value)
        .order_by(Ticket.created_at)
        .limit(MAX_ROWS)
    ).all()
    per_week_topic: Counter[tuple[date, str]] = Counter()
    response_hours: dict[date, list[float]] = defaultdict(list)
    topics_seen: set[str] = set()
    for created_at, tag, first_response_at in rows:
        week = week_start(created_at)
        topic = tag or "untriaged"
        topics_seen.add(topic)
        per_week_topic[(week, topic)] += 1
        if first_response_at is not None:
            response_hours[week].append((first_response_at - created_at).total_seconds() / 3600)

    order = [t for t in (*TOPIC_NAMES, "untriaged") if t in topics_seen] + sorted(
        topics_seen - set(TOPIC_NAMES) - {"untriaged"})
    groups = {TOPIC_NAMES.get(t, t.capitalize()): [per_week_topic[(m, t)] for m in mondays] for t in order}
    per_topic = charts.grouped_bar_chart(labels, groups, title="Questions per topic",
                                         unit="questions")
    medians = [(label, statistics.median(response_hours[m]) if response_hours[m] else None)
               for label, m in zip(labels, mondays)]
    response = charts.line_chart(medians, title="Median hours to first answer", unit="hours",
                                 target=float(current_app.config["RESPONSE_TARGET_HOURS"]))
    overdue = db.session.execute(select(func.count(Ticket.id)).where(overdue_clause(now))).scalar_one()
    return Overview(per_topic_chart=per_topic, response_chart=response, overdue=overdue, weeks=labels)
