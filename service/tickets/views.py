"""POST /ask (the public form) and the confirmation page. GET /ask belongs to the public pages."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_limiter import RateLimitExceeded

from service.tickets import limits, services
from service.tickets.forms import AskForm
from service.tickets.triage_port import EMERGENCY_ADVICE

bp = Blueprint("tickets", __name__)


def _render_form(form: AskForm, status: int = 200):
    try:
        from service.content.views import render_ask_page
    except ImportError:  # the public pages are not merged: a bare form still works
        return render_template("tickets/ask_fallback.html", form=form), status
    return render_ask_page(form, status=status)


@bp.route("/ask", methods=["POST"])
@limits.per_ip
@limits.per_email
def submit():
    form = AskForm()
    if not form.validate_on_submit():
        return _render_form(form)
    if form.website.data:
        # Honeypot filled: a bot. It gets what looks like success (so it does not adapt and
        # retry) but nothing is stored, mailed or queued.
        current_app.logger.info("ask form honeypot filled; dropped")
        return redirect(url_for("tickets.thanks", reference="received"), code=303)
    submission = services.accept_question(
        name=form.name.data,
        email=form.email.data,
        question=form.question.data,
        topic=form.topic.data or None,
    )
    return redirect(url_for("tickets.thanks", reference=submission.reference), code=303)


@bp.route("/ask/thanks/<reference>")
def thanks(reference: str):
    if reference == "received":  # where the honeypot sends bots
        return render_template("tickets/thanks.html", reference=None, emergency_advice=None)
    ticket = services.ticket_by_reference(reference)
    if ticket is None:
        abort(404)
    advice = EMERGENCY_ADVICE if ticket.urgent else None
    response = current_app.make_response(
        render_template("tickets/thanks.html", reference=ticket.reference, emergency_advice=advice)
    )
    # The page names a patient's ticket: keep it out of shared caches and referrers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.errorhandler(RateLimitExceeded)
def too_many(exc: RateLimitExceeded):
    return render_template("tickets/rate_limited.html"), 429
