"""/desk/tickets/<reference>: one question's whole story, and what staff may do to it.

Views stay thin: find the ticket through `actions.visible_ticket` (unknown and not-yours are
the same 404), call one action, commit, hand the queued emails to the workers, redirect (303)
back to the page. Role checks live in the actions, not only in the template's buttons.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from service.audit.services import events_for
from service.desk import bp, quarantine
from service.desk.access import me, roles_required
from service.desk.auth import safe_next
from service.desk.targets import describe_due, due_for, is_overdue, target_hours
from service.errors import Conflict, ValidationFailed
from service.extensions import db
from service.staff.models import Staff, utcnow
from service.tickets import actions, outbox
from service.tickets.models import OutboundEmail, Ticket


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    what: str
    who: str = ""


EVENT_WORDS = {
    "ticket.assign": "Assigned to {assignee}",
    "ticket.retag": "Topic changed from {previous_tag} to {tag}",
    "ticket.urgent": "Marked urgent",
    "ticket.not_urgent": "Marked not urgent",
    "ticket.note": "Internal note added",
    "ticket.reply": "Answered from the desk",
    "ticket.close": "Closed",
    "ticket.reopen": "Reopened",
    "ticket.spam": "Marked as spam",
    "ticket.reminder": "Overdue reminder sent to {assignee}",
    "ticket.escalation": "Overdue: escalated to coordinators",
    "ticket.release": "Quarantined email released",
}


def _event_text(action: str, details: dict) -> str:
    template = EVENT_WORDS.get(action)
    if template is None:
        return action
    try:
        return template.format(**{k: details.get(k) or "none" for k in
                                  ("assignee", "previous_tag", "tag")})
    except (KeyError, IndexError):  # pragma: no cover (the keys are fixed above)
        return action


def timeline(ticket: Ticket) -> list[TimelineEntry]:
    """The ticket's history: its own timestamps, every audit event and every message, in order."""
    entries = [TimelineEntry(ticket.created_at, "Question received")]
    if ticket.triaged_at:
        entries.append(TimelineEntry(ticket.triaged_at, "Triaged", "system"))
    if ticket.first_response_at:
        entries.append(TimelineEntry(ticket.first_response_at, "First answer to the patient"))
    for event in events_for("ticket", ticket.id):
        entries.append(TimelineEntry(event.created_at, _event_text(event.action, event.details), event.actor_label))
    for message in ticket.messages:
        if message.kind in ("surgeon", "patient") and message.created_at != ticket.created_at:
            who = message.author.name if message.author else ("patient" if message.kind == "patient" else "")
            entries.append(TimelineEntry(message.created_at, f"{message.kind.capitalize()} message", who))
    return sorted(entries, key=lambda e: e.at)


def _page(ticket: Ticket) -> str:
    staff = me()
    now = utcnow()
    emails = db.session.execute(
        select(OutboundEmail).where(OutboundEmail.ticket_id == ticket.id).order_by(OutboundEmail.created_at,
                                                                                     OutboundEmail.id).limit(100)
    ).scalars().all()
    return render_template(
        "desk/ticket.html",
        ticket=ticket,
        now=now,
        due=due_for(ticket),
        due_text=describe_due(ticket, now),
        overdue=is_overdue(ticket, now),
        target=target_hours(ticket.urgent),
        emails=emails,
        quarantined=quarantine.for_ticket(ticket.id),
        history=timeline(ticket),
        may=lambda action: actions.may(staff, ticket, action),
        surgeons=actions.active_surgeons() if actions.may(staff, ticket, "assign") else [],
        topics=actions.topics(),
        nonce=secrets.token_hex(16),
    )


@bp.route("/tickets/<reference>")
@login_required
def ticket_detail(reference: str):
    return _page(actions.visible_ticket(me(), reference))


def _act(reference: str, do: Callable[[Ticket, Staff], bool], done: str, unchanged: str):
    """Run one action as one transaction; emails go to the workers after the commit."""
    ticket = actions.visible_ticket(me(), reference)
    target = url_for("desk.ticket_detail", reference=ticket.reference)
    try:
        changed = do(ticket, me())
    except ValidationFailed as exc:
        db.session.rollback()
        first = next(iter(exc.fields.values()), [exc.message]) if exc.fields else [exc.message]
        flash(first[0])
        return redirect(target, 303)
    event_ids = outbox.events_in_session()
    db.session.commit()
    outbox.dispatch(event_ids)
    flash(done if changed else unchanged)
    return redirect(target, 303)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@bp.route("/tickets/<reference>/assign", methods=["POST"])
@login_required
def ticket_assign(reference: str):
    surgeon_id = _int(request.form.get("surgeon"))
    return _act(reference, lambda t, s: actions.assign(t, surgeon_id, actor=s),
                "Reassigned; the surgeon has been emailed.", "Already assigned to that surgeon.")


@bp.route("/tickets/<reference>/tag", methods=["POST"])
@login_required
def ticket_retag(reference: str):
    tag = request.form.get("tag", "")
    reroute = request.form.get("reroute") == "y"
    return _act(reference, lambda t, s: actions.retag(t, tag, actor=s, reroute=reroute),
                "Topic saved; triage will learn from it.", "The topic was already that.")


@bp.route("/tickets/<reference>/urgency", methods=["POST"])
@login_required
def ticket_urgency(reference: str):
    urgent = request.form.get("urgent") == "1"
    return _act(reference, lambda t, s: actions.set_urgent(t, urgent, actor=s),
                "Marked urgent." if urgent else "Marked not urgent.", "No change.")


@bp.route("/tickets/<reference>/note", methods=["POST"])
@login_required
def ticket_note(reference: str):
    body, nonce = request.form.get("body"), request.form.get("nonce")
    return _act(reference, lambda t, s: actions.add_note(t, body, actor=s, nonce=nonce),
                "Note added (staff only; the patient never sees it).", "That note was already added.")


@bp.route("/tickets/<reference>/reply", methods=["POST"])
@login_required
def ticket_reply(reference: str):
    body, nonce = request.form.get("body"), request.form.get("nonce")
    return _act(reference, lambda t, s: actions.reply_as_surgeon(t, body, actor=s, nonce=nonce),
                "Answer sent to the patient.", "That answer was already sent.")


@bp.route("/tickets/<reference>/close", methods=["POST"])
@login_required
def ticket_close(reference: str):
    return _act(reference, lambda t, s: actions.close(t, actor=s), "Closed.", "It was already closed.")


@bp.route("/tickets/<reference>/reopen", methods=["POST"])
@login_required
def ticket_reopen(reference: str):
    return _act(reference, lambda t, s: actions.reopen(t, actor=s), "Reopened.", "It was already open.")


@bp.route("/tickets/<reference>/spam", methods=["POST"])
@login_required
def ticket_spam(reference: str):
    return _act(reference, lambda t, s: actions.mark_spam(t, actor=s), "Marked as spam.",
                "It was already marked as spam.")


@bp.route("/quarantine")
@roles_required("admin", "coordinator")
def quarantine_list():
    """Replies that failed the token or sender check, waiting for a coordinator."""
    from service.desk.paging import page_number

    size = 50
    number = page_number(request.args.get("page"))
    waiting = quarantine.waiting(limit=size, offset=(number - 1) * size)
    pages = max(1, -(-waiting.total // size))
    if number > pages:  # past the end: show the last page
        number = pages
        waiting = quarantine.waiting(limit=size, offset=(number - 1) * size)
    return render_template("desk/quarantine.html", waiting=waiting, page=number, pages=pages)


@bp.route("/quarantine/<int:inbound_id>/release", methods=["POST"])
@roles_required("admin", "coordinator")
def quarantine_release(inbound_id: int):
    """Release one quarantined email (the inbound room decides what releasing does)."""
    back = safe_next(request.form.get("next"))
    try:
        event_ids = quarantine.release(inbound_id, me())
    except Conflict as exc:  # cannot be relayed (no ticket, automatic mail, nothing new)
        db.session.rollback()
        flash(exc.message)
        return redirect(back, 303)
    db.session.commit()
    outbox.dispatch(event_ids)
    flash("Released and relayed.")
    return redirect(back, 303)
