"""The signed-in person's own account: password and API tokens."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import login_required

from service.desk import bp
from service.desk.access import me
from service.desk.auth import start_session
from service.desk.forms import ConfirmForm, PasswordChangeForm, TokenCreateForm
from service.desk import services
from service.errors import ValidationFailed
from service.extensions import db
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
            db.session.commit()
            start_session(me())  # other sessions end; this one carries on
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
