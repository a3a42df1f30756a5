"""/desk/mail: the dev mailbox. Every email the service sent or kept, for staff to read.

With no MAIL_SERVER nothing leaves the machine and this is where mail goes; with one it is
the sent-items log. The HTML part is patient-influenced content, so it is shown as escaped
source, or rendered only in a sandboxed frame served with `Content-Security-Policy: sandbox`.
"""
from __future__ import annotations

from datetime import datetime

from flask import abort, make_response, render_template, request
from sqlalchemy import select

from service import keyset
from service.desk import bp, paging
from service.desk.access import roles_required
from service.extensions import db
from service.tickets.models import OutboundEmail

PAGE_SIZE = 50
NEWEST_FIRST = keyset.Order(keyset.Key(OutboundEmail.created_at, datetime, descending=True),
                            keyset.Key(OutboundEmail.id, int, descending=True))


@bp.route("/mail")
@roles_required("admin", "coordinator")  # surgeons must not read other patients' mail
def mail_list():
    where_from = paging.position(request.args)
    total = keyset.bounded_count(select(OutboundEmail.id), paging.COUNT_CAP)
    window = keyset.read_page(select(OutboundEmail), NEWEST_FIRST, PAGE_SIZE, after=where_from.after,
                              before=where_from.before,
                              number=paging.page_to_read(where_from, total, PAGE_SIZE))
    return _private(render_template("desk/mail_list.html", emails=window.rows, window=window,
                                    pages=paging.page_count(total, PAGE_SIZE), total=total,
                                    total_text=keyset.count_text(total, paging.COUNT_CAP)))


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
