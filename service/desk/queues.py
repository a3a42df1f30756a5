"""The desk's ticket queues: which tickets, how many, in what order, one page at a time.

Every query starts from `visible_tickets_filter(staff)`, so a surgeon's "all" is all of
*their* tickets and no filter can widen it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, or_, select, true
from sqlalchemy.orm import selectinload

from service.desk import quarantine
from service.desk.access import visible_tickets_filter
from service.desk.targets import overdue_clause
from service.extensions import db
from service.staff.models import Staff
from service.tickets.models import OPEN_STATUSES, Message, Ticket, TicketStatus

PAGE_SIZE = 25
MAX_SEARCH = 100
MIN_TEXT_SEARCH = 3
STATUSES = tuple(s.value for s in TicketStatus)

# name -> label, in the order the tabs appear
QUEUES = {
    "urgent": "Urgent",
    "review": "Needs review",
    "unassigned": "Unassigned",
    "overdue": "Overdue",
    "mine": "Mine",
    "open": "All open",
    "all": "All",
}
SURGEON_QUEUES = ("mine", "all")


def queues_for(staff: Staff) -> tuple[str, ...]:
    return tuple(QUEUES) if staff.sees_all_tickets else SURGEON_QUEUES


def default_queue(staff: Staff) -> str:
    return "open" if staff.sees_all_tickets else "mine"


def _open() -> ColumnElement[bool]:
    return Ticket.status.in_(OPEN_STATUSES)


def queue_clause(name: str, staff: Staff, now: datetime) -> ColumnElement[bool]:
    """The WHERE clause of one queue (on top of visibility)."""
    if name == "urgent":
        return _open() & Ticket.urgent.is_(True)
    if name == "review":
        return _open() & Ticket.needs_review.is_(True)
    if name == "unassigned":
        return _open() & Ticket.assignee_id.is_(None)
    if name == "overdue":
        return overdue_clause(now)
    if name == "mine":
        return _open() & (Ticket.assignee_id == staff.id)
    if name == "open":
        return _open()
    return true()


def counts(staff: Staff, now: datetime) -> dict[str, int]:
    """Every queue's size in one aggregate query (SUM(CASE ...) works on SQLite and PostgreSQL)."""
    names = queues_for(staff)
    columns = [func.coalesce(func.sum(case((queue_clause(n, staff, now), 1), else_=0)), 0).label(n) for n in names]
    row = db.session.execute(select(*columns).select_from(Ticket).where(visible_tickets_filter(staff))).one()
    result = {n: int(v) for n, v in zip(names, row)}
    if staff.sees_all_tickets:
        result["quarantined"] = quarantine.quarantined_count()
    return result


@dataclass(frozen=True)
class Filters:
    queue: str
    topic: str | None = None
    status: str | None = None
    surgeon_id: int | None = None
    search: str = ""

    def as_args(self) -> dict[str, str]:
        """Query-string form, for links that keep the filters (pagination, tabs)."""
        args = {"queue": self.queue}
        if self.topic:
            args["topic"] = self.topic
        if self.status:
            args["status"] = self.status
        if self.surgeon_id:
            args["surgeon"] = str(self.surgeon_id)
        if self.search:
            args["q"] = self.search
        return args


def parse_filters(args: dict[str, str], staff: Staff, topics: tuple[str, ...]) -> Filters:
    """Read filters from the query string; anything unknown or malformed is simply ignored."""
    queue = args.get("queue") or default_queue(staff)
    if queue not in queues_for(staff):
        queue = default_queue(staff)
    topic = args.get("topic") if args.get("topic") in topics else None
    status = args.get("status") if args.get("status") in STATUSES else None
    surgeon = args.get("surgeon", "")
    surgeon_id = int(surgeon) if surgeon.isdigit() and len(surgeon) < 10 and staff.sees_all_tickets else None
    search = " ".join((args.get("q") or "").split())[:MAX_SEARCH]
    return Filters(queue=queue, topic=topic, status=status, surgeon_id=surgeon_id, search=search)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_clause(text: str) -> ColumnElement[bool]:
    """Reference (exact or partial), patient email, or words in the thread (case-insensitive)."""
    pattern = _like(text)
    clauses = [Ticket.reference.ilike(pattern, escape="\\"), Ticket.patient_email.ilike(pattern, escape="\\")]
    if len(text) >= MIN_TEXT_SEARCH:
        # A LIKE over message bodies: fine at a clinic's volume, and bounded by the page size
        # (the subquery only feeds an IN). Full-text indexing would be the next step.
        clauses.append(Ticket.id.in_(select(Message.ticket_id).where(Message.body.ilike(pattern, escape="\\"))))
    return or_(*clauses)


def _where(filters: Filters, staff: Staff, now: datetime) -> list[ColumnElement[bool]]:
    where = [visible_tickets_filter(staff)]
    if filters.status and filters.queue in ("all", "open", "mine"):
        # An explicit status replaces the queue's "open only" (e.g. mine + answered).
        where.append(Ticket.status == filters.status)
        if filters.queue == "mine":
            where.append(Ticket.assignee_id == staff.id)
    else:
        where.append(queue_clause(filters.queue, staff, now))
        if filters.status:
            where.append(Ticket.status == filters.status)
    if filters.topic:
        where.append(Ticket.tag == filters.topic)
    if filters.surgeon_id:
        where.append(Ticket.assignee_id == filters.surgeon_id)
    if filters.search:
        where.append(search_clause(filters.search))
    return where


@dataclass
class Page:
    tickets: list[Ticket]
    number: int
    pages: int
    total: int
    filters: Filters
    counts: dict[str, int] = field(default_factory=dict)


def page_number(raw: str | None) -> int:
    """`?page=`: non-numeric or below 1 means page 1 (never an error)."""
    return int(raw) if raw and raw.isdigit() and len(raw) < 7 and int(raw) > 0 else 1


def list_tickets(filters: Filters, staff: Staff, now: datetime, page: int) -> Page:
    """One page of a queue. A page past the end shows the last page."""
    where = _where(filters, staff, now)
    total = db.session.execute(select(func.count(Ticket.id)).where(*where)).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    # Open work oldest first (the longest wait on top); history newest first.
    order = (Ticket.created_at.desc(), Ticket.id.desc()) if filters.queue == "all" or (
        filters.status in (TicketStatus.ANSWERED.value, TicketStatus.CLOSED.value, TicketStatus.SPAM.value)
    ) else (Ticket.urgent.desc(), Ticket.created_at, Ticket.id)
    tickets = list(db.session.execute(
        select(Ticket).where(*where).order_by(*order).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        .options(selectinload(Ticket.assignee))
    ).unique().scalars())
    return Page(tickets=tickets, number=page, pages=pages, total=total, filters=filters)
