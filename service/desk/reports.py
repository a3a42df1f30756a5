"""Reports for coordinators: questions per topic and week, first-answer times against the targets,
breaches, per surgeon; each table also as CSV. Counts and hours only, never patient text.

The range is at most `MAX_DAYS` long, so a report reads a bounded slice of the ticket table
through its `created_at` index; the aggregation is Python, the same on SQLite and PostgreSQL.
"""
from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Response, render_template, request
from sqlalchemy import select

from service.desk import bp
from service.desk.access import roles_required
from service.desk.overview import week_label, week_start
from service.desk.targets import due_at, target_hours
from service.extensions import db
from service.mail.ticket_mail import TOPIC_NAMES
from service.staff.models import Staff, utcnow
from service.tickets.models import OPEN_STATUSES, Ticket, TicketStatus

MAX_DAYS = 366
DEFAULT_WEEKS = 12
TABLES = ("weekly", "topics", "surgeons")
UNTRIAGED = "untriaged"


class BadRange(ValueError):
    """A date range a person typed that the report cannot use; the message says why."""


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class AnswerTimes:
    label: str
    questions: int
    answered: int
    median_hours: float | None
    p90_hours: float | None
    breaches: int


@dataclass(frozen=True)
class Report:
    period: DateRange
    weeks: list[str]
    topics: list[str]
    per_week: list[tuple[str, list[int]]]  # week label -> count per topic, in `topics` order
    by_topic: list[AnswerTimes]
    by_surgeon: list[AnswerTimes]
    target_hours: float
    urgent_target_hours: float

    @property
    def topic_labels(self) -> list[str]:
        return [topic_name(t) for t in self.topics]


def parse_range(args: dict[str, str], today: date) -> DateRange:
    """`?start=YYYY-MM-DD&end=YYYY-MM-DD` (end inclusive); the last twelve weeks when both are absent."""
    raw_start, raw_end = (args.get("start") or "").strip(), (args.get("end") or "").strip()
    try:
        end = date.fromisoformat(raw_end) if raw_end else today
        start = date.fromisoformat(raw_start) if raw_start else end - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1)
    except ValueError:
        raise BadRange("Dates must look like 2026-03-31.") from None
    if start > end:
        raise BadRange("The start date is after the end date.")
    period = DateRange(start, end)
    if period.days > MAX_DAYS:
        raise BadRange(f"A report covers at most {MAX_DAYS} days; choose a shorter range.")
    return period


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def _times(label: str, rows: list, now: datetime) -> AnswerTimes:
    waits = [_hours(r.first_response_at - r.created_at) for r in rows if r.first_response_at is not None]
    breaches = sum(1 for r in rows if _breached(r, now))
    return AnswerTimes(
        label=label, questions=len(rows), answered=len(waits),
        median_hours=statistics.median(waits) if waits else None,
        p90_hours=(statistics.quantiles(waits, n=10, method="inclusive")[-1] if len(waits) > 1
                   else (waits[0] if waits else None)),
        breaches=breaches,
    )


def _breached(row, now: datetime) -> bool:
    """Answered after its target, or still open, unanswered and past it."""
    due = due_at(row.created_at, row.urgent)
    if row.first_response_at is not None:
        return row.first_response_at > due
    return row.status in OPEN_STATUSES and now > due


def build(period: DateRange, now: datetime) -> Report:
    since = datetime.combine(period.start, datetime.min.time())
    until = datetime.combine(period.end + timedelta(days=1), datetime.min.time())
    rows = db.session.execute(
        select(Ticket.created_at, Ticket.tag, Ticket.urgent, Ticket.status, Ticket.assignee_id,
               Ticket.first_response_at)
        .where(Ticket.created_at >= since, Ticket.created_at < until, Ticket.status != TicketStatus.SPAM.value)
    ).all()

    mondays = []
    monday = week_start(period.start)
    while monday <= period.end:
        mondays.append(monday)
        monday += timedelta(weeks=1)
    seen = {row.tag or UNTRIAGED for row in rows}
    topics = [t for t in (*TOPIC_NAMES, UNTRIAGED) if t in seen] + sorted(seen - set(TOPIC_NAMES) - {UNTRIAGED})
    per_week_topic: Counter[tuple[date, str]] = Counter((week_start(r.created_at), r.tag or UNTRIAGED) for r in rows)
    per_week = [(week_label(m), [per_week_topic[(m, t)] for t in topics]) for m in mondays]

    by_tag: dict[str, list] = defaultdict(list)
    by_assignee: dict[int, list] = defaultdict(list)
    for row in rows:
        by_tag[row.tag or UNTRIAGED].append(row)
        if row.assignee_id is not None:
            by_assignee[row.assignee_id].append(row)
    names = dict(db.session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(by_assignee))).all())
    return Report(
        period=period,
        weeks=[week_label(m) for m in mondays],
        topics=topics,
        per_week=per_week,
        by_topic=[_times(topic_name(t), by_tag[t], now) for t in topics] + [_times("All topics", list(rows), now)],
        by_surgeon=sorted((_times(names.get(staff_id, f"Staff #{staff_id}"), group, now)
                           for staff_id, group in by_assignee.items()), key=lambda t: t.label.lower()),
        target_hours=target_hours(False),
        urgent_target_hours=target_hours(True),
    )


def topic_name(tag: str) -> str:
    return TOPIC_NAMES.get(tag, tag.capitalize())


def _cell(value: object) -> str:
    text = "" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))
    # A cell a spreadsheet would read as a formula (a staff name like "=HYPERLINK(...)") is quoted.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def table_rows(report: Report, table: str) -> Iterable[list[object]]:
    if table == "weekly":
        yield ["week starting", *(topic_name(t) for t in report.topics), "total"]
        for label, counts in report.per_week:
            yield [label, *counts, sum(counts)]
        return
    yield [("topic" if table == "topics" else "surgeon"), "questions", "answered", "median hours to first answer",
           "p90 hours to first answer", "breaches"]
    for times in report.by_topic if table == "topics" else report.by_surgeon:
        yield [times.label, times.questions, times.answered, times.median_hours, times.p90_hours, times.breaches]


def to_csv(report: Report, table: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    for row in table_rows(report, table):
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/reports")
@roles_required("admin", "coordinator")
def reports():
    try:
        period = parse_range(request.args, utcnow().date())
    except BadRange as problem:
        response = render_template("desk/reports.html", report=None, error=str(problem), args=request.args)
        return _private(Response(response, status=400))
    report = build(period, utcnow())
    return _private(Response(render_template("desk/reports.html", report=report, error=None, args=request.args)))


@bp.route("/reports.csv")
@roles_required("admin", "coordinator")
def reports_csv():
    table = request.args.get("table", "weekly")
    try:
        if table not in TABLES:
            raise BadRange(f"table must be one of: {', '.join(TABLES)}.")
        period = parse_range(request.args, utcnow().date())
    except BadRange as problem:
        return _private(Response(f"{problem}\n", status=400, mimetype="text/plain"))
    body = to_csv(build(period, utcnow()), table)
    filename = f"neurodesk-{table}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return _private(Response(body, mimetype="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'}))
