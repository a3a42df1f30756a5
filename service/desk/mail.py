"""/desk/mail: the dev mailbox. Every email the service sent or kept, for staff to read.

With no MAIL_SERVER nothing leaves the machine and this is where mail goes; with one it is
the sent-items log. The HTML part is patient-influenced content, so it is shown as escaped
source, or rendered only in a sandboxed frame served with `Content-Security-Policy: sandbox`.
"""
from __future__ import annotations

from flask import abort, make_response, render_template, request
from sqlalchemy import func, select

from service.desk import bp
from service.desk.access import roles_required
from service.extensions import db
from service.tickets.models import OutboundEmail

PAGE_SIZE = 50


@bp.route("/mail")
@roles_required("admin", "coordinator")  # surgeons must not read other patients' mail
def mail_list():
    page = request.args.get("page", 1, type=int) or 1
    page = max(page, 1)
    total = db.session.execute(select(func.count(OutboundEmail.id))).scalar_one()
    emails = db.session.execute(
        select(OutboundEmail)
        .order_by(OutboundEmail.created_at.desc(), OutboundEmail.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).scalars().all()
    pages = max(1, -(-total // PAGE_SIZE))
    return _private(render_template("desk/mail_list.html", emails=emails, page=page, pages=pages, total=total))


@bp.route("/mail/<int:email_id>")
@roles_required("admin", "coordinator")  # surgeons must not read other patients' mail
def mail_detail(email_id: int):
    email = db.get_or_404(OutboundEmail, email_id)
    return _private(render_template("desk/mail_detail.html", email=email))


@bp.route("/mail/<int:email_id>/html")
@roles_required("admin", "coordinator")  # surgeons must not read other patients' mail
def mail_html(email_id: int):
    email = db.get_or_404(OutboundEmail, email_id)
    if not email.html_body:
        abort(404)
    response = make_response(email.html_body)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    # No scripts, no forms, no same-origin access: the frame cannot touch the desk session.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return _private(response)


def _private(body):
    response = make_response(body)
    response.headers["Cache-Control"] = "no-store"
    return response
