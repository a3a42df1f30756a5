"""The signed-in person's own account: password, sessions and API tokens."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import login_required

from service.desk import bp
from service.desk.access import me
from service.desk.auth import SESSION_TOKEN, end_this_browsers_login, start_session
from service.desk.forms import ConfirmForm, PasswordChangeForm, TokenCreateForm
from service.desk import services
from service.errors import ValidationFailed
from service.extensions import db
from service.staff import sessions
from service.staff.services import api_tokens_of


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(me(), current=form.current_password.data, new=form.new_password.data)
        except ValidationFailed as exc:
            for name, messages in exc.fields.items():
                getattr(form, name).errors.extend(messages)
        else:
            start_session(me())  # every session ended with the old password; this browser gets a new one
            db.session.commit()
            flash("Your password is changed. Other sessions have been logged out.")
            return redirect(url_for("desk.index"), 303)
    return render_template("desk/password.html", form=form, min_length=services.MIN_PASSWORD_LENGTH)


def _tokens_page(form: TokenCreateForm, new_token: str | None = None) -> str:
    # CSRF on every POST is checked app-wide by CSRFProtect before any view runs.
    return render_template(
        "desk/tokens.html", form=form, confirm=ConfirmForm(), tokens=api_tokens_of(me()),
        new_token=new_token,
    )


@bp.route("/account/tokens", methods=["GET"])
@login_required
def tokens():
    return _tokens_page(TokenCreateForm(formdata=None))


@bp.route("/account/tokens", methods=["POST"])
@login_required
def token_create():
    form = TokenCreateForm()
    if not form.validate_on_submit():
        return _tokens_page(form)
    token, _ = services.create_api_token(me(), form.name.data)
    db.session.commit()
    # Shown in this response only: it is never put in the (signed, not encrypted) session
    # cookie or a URL, and desk pages are sent with Cache-Control: no-store.
    return _tokens_page(TokenCreateForm(formdata=None), new_token=token)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def token_revoke(token_id: int):
    row = services.revoke_api_token(me(), token_id)
    db.session.commit()
    flash(f"Token “{row.name}” is revoked; programs using it can no longer sign in.")
    return redirect(url_for("desk.tokens"), 303)


# Browser and system names by the user agent's telltale words, first match wins (Edge and Opera
# say Chrome too, Chrome says Safari, an iPhone says "like Mac OS X", Android says Linux).
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"), ("curl/", "curl"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_device(user_agent: str | None) -> str:
    """A name like "Firefox on Linux": enough for a person to recognise their own browsers."""
    ua = user_agent or ""
    browser = next((name for word, name in _BROWSERS if word in ua), "Unknown browser")
    system = next((name for word, name in _SYSTEMS if word in ua), None)
    return f"{browser} on {system}" if system else browser


def _this_browsers_key() -> str | None:
    token = session.get(SESSION_TOKEN)
    return sessions.key_of(token) if isinstance(token, str) else None


@bp.route("/account/sessions", methods=["GET"])
@login_required
def sessions_list():
    return render_template("desk/sessions.html", records=sessions.sessions_of(me()), current=_this_browsers_key(),
                           describe=describe_device, confirm=ConfirmForm(), idle_minutes=sessions.idle_minutes())


@bp.route("/account/sessions/<key>/revoke", methods=["POST"])
@login_required
def session_revoke(key: str):
    services.revoke_session(me(), key, ip=request.remote_addr)
    db.session.commit()
    if key == _this_browsers_key():
        end_this_browsers_login()
        flash("This browser's session is ended: you are logged out.")
        return redirect(url_for("desk.login"), 303)
    flash("That session is ended: its browser is logged out.")
    return redirect(url_for("desk.sessions_list"), 303)


@bp.route("/account/sessions/revoke-all", methods=["POST"])
@login_required
def sessions_revoke_all():
    count = services.revoke_all_sessions(me(), ip=request.remote_addr)
    db.session.commit()
    end_this_browsers_login()
    flash(f"{count} session(s) ended, this one included: you are logged out everywhere.")
    return redirect(url_for("desk.login"), 303)
