"""Desk account rules: signing in, changing a password, API tokens, staff availability.

Each function adds its audit event beside the change it describes; the caller commits both
in one transaction, so there is never a change without its record (or a record without it).
"""
from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select
from werkzeug.security import check_password_hash

from service.audit.services import record
from service.errors import Forbidden, NotFound, ValidationFailed
from service.extensions import db
from service.staff import services as staff_services
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


def session_fingerprint(staff: Staff) -> str:
    """Changes whenever the password does, so a password change ends every other session."""
    return hashlib.sha256((staff.password_hash or "").encode()).hexdigest()[:24]


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
    staff_services.set_password(staff, new)
    record("password.change", actor=staff, target_type="staff", target_id=staff.id)


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
        record("staff.availability", actor=admin, target_type="staff", target_id=staff.id,
               before=before, after=after)
    return staff
