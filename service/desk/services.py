"""Desk account rules: signing in and out, sessions, changing a password, API tokens, availability.

Each function adds its audit event beside the change it describes; the caller commits both
in one transaction, so there is never a change without its record (or a record without it).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from werkzeug.security import check_password_hash

from service.audit.services import record
from service.errors import Forbidden, NotFound, ValidationFailed
from service.extensions import db
from service.staff import services as staff_services
from service.staff import sessions
from service.staff.models import ApiToken, Role, Staff

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


def attempt_login(email: str, password: str, *, ip: str | None) -> Staff | None:
    """Check credentials and record the attempt (never the password)."""
    staff = staff_services.authenticate(email, password)
    if staff is not None:
        record("login.success", actor=staff, target_type="staff", target_id=staff.id, ip=ip)
        return staff
    email = staff_services.normalise_email(email)[:254]
    known = staff_services.find_staff_by_email(email)
    if known is not None:
        record("login.failure", target_type="staff", target_id=known.id, email=email, ip=ip)
    else:
        record("login.failure", target_type="login", target_id=email, email=email, ip=ip)
    return None


def _handle(key: str) -> str:
    """How the audit log names a session: a prefix of its key (itself a hash, never the token)."""
    return key[:12]


def log_out(staff: Staff, token: object, *, ip: str | None) -> None:
    """End this browser's session on the server: a copy of its cookie no longer works anywhere."""
    ended = sessions.end_session(token)
    record("logout", actor=staff, target_type="staff", target_id=staff.id, ip=ip,
           session=_handle(ended.key) if ended else None)


def revoke_session(staff: Staff, key: str, *, ip: str | None) -> None:
    """End one of `staff`'s own sessions (another browser, a lost laptop)."""
    ended = sessions.end_session_of(staff, key)
    if ended is None:
        raise NotFound("No such session.")
    record("session.revoke", actor=staff, target_type="staff", target_id=staff.id, ip=ip,
           session=_handle(ended.key), session_ip=ended.ip)


def revoke_all_sessions(staff: Staff, *, ip: str | None) -> int:
    """End every session of `staff`, this browser's too; how many ended."""
    count = sessions.end_every_session(staff.id)
    record("session.revoke_all", actor=staff, target_type="staff", target_id=staff.id, ip=ip, sessions=count)
    return count


def change_password(staff: Staff, *, current: str, new: str) -> None:
    if not staff.password_hash or not check_password_hash(staff.password_hash, current):
        raise ValidationFailed("Current password is not right.",
                               fields={"current_password": ["This is not your current password."]})
    if len(new) < MIN_PASSWORD_LENGTH or len(new) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed("New password length.", fields={"new_password": [
            f"Use between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters."]})
    if new == current:
        raise ValidationFailed("New password is the old one.",
                               fields={"new_password": ["Choose a password different from the current one."]})
    ended = staff_services.set_password(staff, new)
    record("password.change", actor=staff, target_type="staff", target_id=staff.id, sessions_ended=ended)


def create_api_token(staff: Staff, name: str) -> tuple[str, ApiToken]:
    """The clear token (to show once) and its row."""
    name = name.strip()[:120] or "api"
    token = staff_services.issue_api_token(staff, name)
    db.session.flush()
    row = db.session.execute(
        select(ApiToken).where(ApiToken.staff_id == staff.id).order_by(ApiToken.id.desc()).limit(1)
    ).scalar_one()
    record("token.create", actor=staff, target_type="api_token", target_id=row.id, name=name)
    return token, row


def revoke_api_token(staff: Staff, token_id: int) -> ApiToken:
    row = staff_services.revoke_api_token(staff, token_id)
    if row is None:
        raise NotFound("No such token.")
    record("token.revoke", actor=staff, target_type="api_token", target_id=row.id, name=row.name)
    return row


def all_staff() -> list[Staff]:
    return list(db.session.execute(select(Staff).order_by(Staff.role, Staff.name)).scalars())


def set_availability(admin: Staff, staff_id: int, *, active: bool, on_leave_until: date | None) -> Staff:
    """An admin marks someone active/inactive or on leave (routing skips people on leave)."""
    if admin.role != Role.ADMIN.value:
        raise Forbidden("Only admins change staff availability.")
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("No such staff member.")
    if staff.id == admin.id and not active:
        raise ValidationFailed("You cannot deactivate your own account.",
                               fields={"active": ["Ask another admin to do this."]})
    before = {"active": staff.active, "on_leave_until": staff.on_leave_until}
    staff.active = active
    staff.on_leave_until = on_leave_until
    after = {"active": staff.active, "on_leave_until": staff.on_leave_until}
    if before != after:
        detail = {}
        if before["active"] and not active:
            detail["sessions_ended"] = sessions.end_every_session(staff.id)
        record("staff.availability", actor=admin, target_type="staff", target_id=staff.id,
               before=before, after=after, **detail)
    return staff
