"""Admin pages: who is on the team and available, and the audit log."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from service import keyset
from service.audit.services import count_events, events_page
from service.desk import bp, paging, services
from service.desk.access import me, roles_required
from service.desk.forms import AvailabilityForm
from service.errors import ValidationFailed
from service.extensions import db
from service.staff.models import Role

AUDIT_PAGE_SIZE = 50


@bp.route("/staff")
@roles_required(Role.ADMIN)
def staff_list():
    people = services.all_staff()
    forms = {p.id: AvailabilityForm(formdata=None, prefix=f"s{p.id}", obj=p) for p in people}
    return render_template("desk/staff.html", people=people, forms=forms)


@bp.route("/staff/<int:staff_id>", methods=["POST"])
@roles_required(Role.ADMIN)
def staff_availability(staff_id: int):
    form = AvailabilityForm(prefix=f"s{staff_id}")
    if form.validate_on_submit():
        try:
            person = services.set_availability(me(), staff_id, active=form.active.data,
                                               on_leave_until=form.on_leave_until.data)
        except ValidationFailed as exc:
            db.session.rollback()
            flash(exc.fields.get("active", [exc.message])[0] if exc.fields else exc.message)
        else:
            db.session.commit()
            flash(f"Saved availability for {person.name}.")
    else:
        flash("Enter the leave date as YYYY-MM-DD.")
    return redirect(url_for("desk.staff_list"), 303)


@bp.route("/audit")
@roles_required(Role.ADMIN)
def audit_log():
    where_from = paging.position(request.args)
    total = count_events(paging.COUNT_CAP)
    window = events_page(AUDIT_PAGE_SIZE, after=where_from.after, before=where_from.before,
                         number=paging.page_to_read(where_from, total, AUDIT_PAGE_SIZE))
    return render_template("desk/audit.html", events=window.rows, window=window,
                           pages=paging.page_count(total, AUDIT_PAGE_SIZE),
                           total_text=keyset.count_text(total, paging.COUNT_CAP))
