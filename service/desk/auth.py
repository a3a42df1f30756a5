"""Staff login and logout for the desk and the content editor."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from service.desk import bp
from service.desk.forms import LoginForm
from service.extensions import db, login_manager
from service.staff import services
from service.staff.models import Staff

login_manager.login_view = "desk.login"
login_manager.login_message = "Please log in to continue."


@login_manager.user_loader
def load_staff(staff_id: str) -> Staff | None:
    if not staff_id.isdigit():
        return None
    return db.session.get(Staff, int(staff_id))


def safe_next(target: str | None) -> str:
    """Only same-site paths: `next=` must never become an open redirect."""
    if not target:
        return url_for("desk.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("desk.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        staff = services.authenticate(form.email.data, form.password.data)
        if staff is not None:
            login_user(staff)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append("Email or password is not right.")
    return render_template("desk/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("desk.login"))
