"""Desk screens: the queues (everyone signed in) and the overview charts (coordinators, admins)."""
from __future__ import annotations

from flask import render_template, request
from flask.wrappers import Response
from flask_login import login_required

from service.desk import bp, overview, paging, queues
from service.desk.access import me
from service.desk.targets import describe_due, human_duration, is_overdue
from service.staff.models import utcnow
from service.tickets import actions


@bp.after_request
def never_cache(response: Response) -> Response:
    # Desk pages carry staff secrets (a new API token) and patient messages:
    # no browser back-button cache, no shared proxy cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
@login_required
def index():
    staff = me()
    now = utcnow()
    topics = actions.topics()
    filters = queues.parse_filters(request.args, staff, topics)
    page = queues.list_tickets(filters, staff, now, paging.position(request.args))
    return render_template(
        "desk/index.html",
        page=page,
        filters=filters,
        counts=queues.counts(staff, now),
        count_text=queues.count_text,
        queue_names={n: queues.QUEUES[n] for n in queues.queues_for(staff)},
        statuses=queues.STATUSES,
        topics=topics,
        surgeons=actions.active_surgeons() if staff.sees_all_tickets else [],
        overview=overview.build(now) if staff.sees_all_tickets else None,
        now=now,
        due_text=lambda t: describe_due(t, now),
        is_overdue=lambda t: is_overdue(t, now),
        age=lambda t: human_duration(now - t.created_at),
    )
