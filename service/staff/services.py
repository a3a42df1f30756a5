"""Creating staff, checking passwords, issuing and verifying API tokens."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from service.email_identity import email_identity
from service.errors import ValidationFailed
from service.extensions import db
from service.staff import sessions
from service.staff.models import ApiToken, Role, Staff, StaffSpecialty, utcnow

TOPICS = ("spine", "brain", "tos")
TOKEN_PREFIX = "ndk_"


def normalise_email(email: str) -> str:
    """Staff addresses are compared like every other address (login, its throttle, `staff add`)."""
    return email_identity(email)


def find_staff_by_email(email: str) -> Staff | None:
    return db.session.execute(
        select(Staff).where(func.lower(Staff.email) == normalise_email(email))
    ).scalar_one_or_none()


def save_staff(
    *,
    email: str,
    name: str,
    role: str,
    specialties: Iterable[str] = (),
    password: str | None = None,
) -> Staff:
    """Create or update a staff member by email; the caller commits."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise ValidationFailed("Invalid email.", fields={"email": ["Enter a valid email address."]})
    if role not in {r.value for r in Role}:
        raise ValidationFailed(f"Unknown role {role!r}.", fields={"role": ["Choose surgeon, coordinator or admin."]})
    topics = sorted(set(specialties))
    unknown = [t for t in topics if t not in TOPICS]
    if unknown:
        raise ValidationFailed(f"Unknown specialty {unknown[0]!r}.", fields={"specialty": list(TOPICS)})
    staff = find_staff_by_email(email)
    if staff is None:
        staff = Staff(email=email, name=name.strip(), role=role)
        db.session.add(staff)
    staff.name = name.strip() or staff.name
    staff.role = role
    if topics or role != Role.SURGEON.value:
        staff.specialties = [StaffSpecialty(topic=t) for t in topics]
    if password:
        set_password(staff, password)
    return staff


def set_password(staff: Staff, password: str) -> int:
    """Set a new password; every session signed in with the old one ends (how many: returned).

    Whoever changes it, the person themself or an admin at the command line, the old password
    may be what leaked. The caller commits (with the database session store, both together).
    """
    if len(password) < 8:
        raise ValidationFailed("Password too short.", fields={"password": ["Use at least 8 characters."]})
    staff.password_hash = generate_password_hash(password)
    return sessions.end_every_session(staff.id) if staff.id is not None else 0


def authenticate(email: str, password: str) -> Staff | None:
    staff = find_staff_by_email(email)
    if staff is None or not staff.password_hash or not staff.active:
        # Hash anyway so a wrong email costs the same time as a wrong password.
        check_password_hash(_DUMMY_HASH, password)
        return None
    return staff if check_password_hash(staff.password_hash, password) else None


_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(staff: Staff, name: str = "api") -> str:
    """Return a new bearer token; only its hash is kept, so this is the one chance to see it."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(staff=staff, name=name, token_hash=_hash_token(token)))
    return token


def staff_for_token(token: str) -> Staff | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    api_token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _hash_token(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if api_token is None or not api_token.staff.active:
        return None
    api_token.last_used_at = utcnow()
    return api_token.staff


def api_tokens_of(staff: Staff) -> list[ApiToken]:
    """A staff member's live tokens, newest first (revoked ones are history, not shown)."""
    return list(
        db.session.execute(
            select(ApiToken)
            .where(ApiToken.staff_id == staff.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).scalars()
    )


def revoke_api_token(staff: Staff, token_id: int) -> ApiToken | None:
    """Revoke one of `staff`'s own tokens; None when it is not theirs or already revoked.

    Keyed by owner as well as id so nobody can revoke (or probe) another person's token.
    The row stays, with revoked_at set, so the audit trail can still name it. Caller commits.
    """
    api_token = db.session.execute(
        select(ApiToken).where(
            ApiToken.id == token_id, ApiToken.staff_id == staff.id, ApiToken.revoked_at.is_(None)
        )
    ).scalar_one_or_none()
    if api_token is not None:
        api_token.revoked_at = utcnow()
    return api_token
