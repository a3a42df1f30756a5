"""Staff login and logout for the desk and the content editor."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from service.desk import bp, throttle
from service.desk.forms import LoginForm
from service.desk.services import attempt_login, session_fingerprint
from service.extensions import db, login_manager
from service.staff.models import Staff

login_manager.login_view = "desk.login"
login_manager.login_message = "Please log in to continue."
# A session cookie presented from another address or browser is dropped, not merely
# marked stale (SESSION_PROTECTION in Config says the same; this is the default).
login_manager.session_protection = "strong"

LOGIN_AT = "desk_login_at"
FINGERPRINT = "desk_fp"


@bp.before_app_request
def load_user_afresh() -> None:
    # Flask-Login caches the user in `g`, which lives in the app context. A request normally
    # gets its own app context, but one pushed around several requests (tests, the CLI
    # test client) would otherwise keep serving the first user loaded and skip every check
    # below. Reloading per request costs one primary-key lookup.
    g.pop("_login_user", None)


@login_manager.user_loader
def load_staff(staff_id: str) -> Staff | None:
    if not staff_id.isdigit():
        return None
    # The session is not marked permanent (that would weaken "strong" protection in
    # Flask-Login to "basic"), so the absolute lifetime is enforced here instead.
    login_at = session.get(LOGIN_AT)
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if not isinstance(login_at, int) or not 0 <= time.time() - login_at <= lifetime:
        return None
    staff = db.session.get(Staff, int(staff_id))
    # A deactivated account loses its open sessions too, not only the next login.
    if staff is None or not staff.active or session.get(FINGERPRINT) != session_fingerprint(staff):
        return None
    return staff


def safe_next(target: str | None) -> str:
    """Only same-site paths: `next=` must never become an open redirect."""
    if not target:
        return url_for("desk.index")
    # Browsers drop tabs/newlines inside URLs ("/\t/evil" becomes "//evil", another host), and
    # a newline in a Location header is refused by werkzeug (a 500): no control characters or
    # whitespace at all.
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in target):
        return url_for("desk.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("desk.index")
    return target


def start_session(staff: Staff) -> None:
    """Log `staff` in on this browser (also after a password change, with the new fingerprint)."""
    login_user(staff)
    session[LOGIN_AT] = int(time.time())
    session[FINGERPRINT] = session_fingerprint(staff)


@bp.route("/login", methods=["GET", "POST"])
@throttle.per_ip
@throttle.per_email
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        staff = attempt_login(form.email.data, form.password.data, ip=request.remote_addr)
        db.session.commit()  # the audit event, success or failure
        if staff is not None:
            throttle.forget_email_failures()
            start_session(staff)
            return redirect(safe_next(request.args.get("next")))
        throttle.mark_failed()
        form.password.errors.append("Email or password is not right.")
    return render_template("desk/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.pop(LOGIN_AT, None)
    session.pop(FINGERPRINT, None)
    flash("You are logged out.")
    return redirect(url_for("desk.login"))
