"""Staff login and logout for the desk and the content editor.

A login is a server-side session (staff/sessions.py); the signed cookie carries only its token.
Every request that asks who is signed in looks the session up, so a session ended anywhere
(logout, revocation, password change, deactivation) is refused here, copied cookies included.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from service.desk import bp, services, throttle
from service.desk.access import me
from service.desk.forms import LoginForm
from service.extensions import db, login_manager
from service.staff import sessions
from service.staff.models import Staff

login_manager.login_view = "desk.login"
login_manager.login_message = "Please log in to continue."
# A session cookie presented from another address or browser is dropped, not merely
# marked stale (SESSION_PROTECTION in Config says the same; this is the default).
login_manager.session_protection = "strong"

# The cookie's name for the server-side session's token.
SESSION_TOKEN = "desk_sid"


@bp.before_app_request
def load_user_afresh() -> None:
    # Flask-Login caches the user in `g`, which lives in the app context. A request normally
    # gets its own app context, but one pushed around several requests (tests, the CLI
    # test client) would otherwise keep serving the first user loaded and skip every check
    # below. Reloading per request costs one session look-up and one primary-key lookup.
    # Flask-WTF caches the CSRF token there too: one browser's token must not reach another.
    g.pop("_login_user", None)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


@login_manager.user_loader
def load_staff(staff_id: str) -> Staff | None:
    record = sessions.live_session(session.get(SESSION_TOKEN))
    if record is None or str(record.staff_id) != staff_id:
        # Ended, idle, too old or never there: forget it, so the browser is plainly logged out.
        session.pop(SESSION_TOKEN, None)
        session.pop("_user_id", None)
        return None
    staff = db.session.get(Staff, record.staff_id)
    # A deactivated account loses its open sessions too, not only the next login.
    if staff is None or not staff.active:
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
    """Sign `staff` in on this browser with a new server-side session; the caller commits."""
    token = sessions.open_session(staff, ip=request.remote_addr, user_agent=request.user_agent.string)
    session.clear()  # a fresh cookie (and CSRF secret) for the signed-in person: nothing from before
    login_user(staff)
    session[SESSION_TOKEN] = token


def end_this_browsers_login() -> None:
    """Forget the login in this browser's cookie (its server-side session is ended by the caller)."""
    logout_user()
    session.clear()  # the CSRF secret too: nothing of the staff session survives in the cookie


@bp.route("/login", methods=["GET", "POST"])
@throttle.per_ip
@throttle.per_email
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        staff = services.attempt_login(form.email.data, form.password.data, ip=request.remote_addr)
        if staff is not None:
            start_session(staff)
        db.session.commit()  # the audit event, success or failure, and the session
        if staff is not None:
            throttle.forget_email_failures()
            return redirect(safe_next(request.args.get("next")))
        throttle.mark_failed()
        form.password.errors.append("Email or password is not right.")
    return render_template("desk/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.log_out(me(), session.get(SESSION_TOKEN), ip=request.remote_addr)
    db.session.commit()
    end_this_browsers_login()
    flash("You are logged out.")
    return redirect(url_for("desk.login"))
