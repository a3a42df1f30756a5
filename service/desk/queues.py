"""The desk's ticket queues: which tickets, how many, in what order, one page at a time.

Every query starts from `visible_tickets_filter(staff)`, so a surgeon's "all" is all of
*their* tickets and no filter can widen it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, or_, select, true
from sqlalchemy.orm import selectinload

from service import keyset
from service.desk import paging, quarantine
from service.desk.access import visible_tickets_filter
from service.desk.targets import overdue_clause
from service.extensions import db
from service.staff.models import Staff
from service.tickets.models import Message, Ticket, TicketStatus, open_ticket

PAGE_SIZE = 25
COUNT_CAP = paging.COUNT_CAP
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
    return open_ticket()


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
    """Every queue's size in one query. The open queues are summed over open tickets only (a
    partial index holds them: a few thousand, however long the history); "all" is counted no
    further than COUNT_CAP + 1 (shown as "1,000+"), since counting a million rows is a scan."""
    names = [n for n in queues_for(staff) if n != "all"]
    visible = visible_tickets_filter(staff)
    columns = [func.coalesce(func.sum(case((queue_clause(n, staff, now), 1), else_=0)), 0).label(n) for n in names]
    everything = keyset.bounded_count_query(select(Ticket.id).where(visible), COUNT_CAP).scalar_subquery()
    row = db.session.execute(
        select(*columns, everything.label("all")).select_from(Ticket).where(visible, _open())
    ).one()
    result = {n: int(v) for n, v in zip([*names, "all"], row)}
    if staff.sees_all_tickets:
        result["quarantined"] = quarantine.quarantined_count()
    return result


def count_text(count: int) -> str:
    return keyset.count_text(count, COUNT_CAP)


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


# Open work oldest first (the longest wait on top), urgent before the rest; history newest first.
WORK_ORDER = keyset.Order(keyset.Key(Ticket.urgent, bool, descending=True), keyset.Key(Ticket.created_at, datetime),
                          keyset.Key(Ticket.id, int))
HISTORY_ORDER = keyset.Order(keyset.Key(Ticket.created_at, datetime, descending=True),
                             keyset.Key(Ticket.id, int, descending=True))
HISTORY_STATUSES = (TicketStatus.ANSWERED.value, TicketStatus.CLOSED.value, TicketStatus.SPAM.value)


def order_for(filters: Filters) -> keyset.Order:
    return HISTORY_ORDER if filters.queue == "all" or filters.status in HISTORY_STATUSES else WORK_ORDER


@dataclass
class Page:
    tickets: list[Ticket]
    total: int  # exact up to COUNT_CAP; above it, COUNT_CAP + 1
    filters: Filters
    number: int | None  # the page number when reached by ?page= (None: by a cursor)
    newer: str | None  # cursor of the page before, if any
    older: str | None  # cursor of the page after, if any
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int | None:
        """How many numbered pages there are, when the total is exact."""
        return paging.page_count(self.total, PAGE_SIZE, COUNT_CAP)


def list_tickets(filters: Filters, staff: Staff, now: datetime, where_from: paging.Position) -> Page:
    """One page of a queue, counted no further than COUNT_CAP + 1; by number for the first
    pages, by cursor at any depth."""
    where = _where(filters, staff, now)
    total = keyset.bounded_count(select(Ticket.id).where(*where), COUNT_CAP)
    window = keyset.read_page(
        select(Ticket).where(*where).options(selectinload(Ticket.assignee)), order_for(filters), PAGE_SIZE,
        after=where_from.after, before=where_from.before,
        number=paging.page_to_read(where_from, total, PAGE_SIZE, COUNT_CAP),
    )
    return Page(tickets=window.rows, total=total, filters=filters, number=window.number,
                newer=window.newer, older=window.older)
