"""Clinic staff: who may log in, who answers which topic, and their API tokens."""
from __future__ import annotations

import enum
from datetime import date, datetime, timezone

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db


def utcnow() -> datetime:
    """Naive UTC: SQLite keeps no zone, so every timestamp in the schema is UTC without one."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Role(str, enum.Enum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    SURGEON = "surgeon"


class Staff(UserMixin, db.Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    on_leave_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    specialties: Mapped[list[StaffSpecialty]] = relationship(
        back_populates="staff", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def topics(self) -> list[str]:
        return sorted(s.topic for s in self.specialties)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def sees_all_tickets(self) -> bool:
        return self.role in (Role.ADMIN.value, Role.COORDINATOR.value)

    def __repr__(self) -> str:
        return f"<Staff {self.email} {self.role}>"


class StaffSpecialty(db.Model):
    __tablename__ = "staff_specialty"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(20), primary_key=True)

    staff: Mapped[Staff] = relationship(back_populates="specialties")


class ApiToken(db.Model):
    """A bearer token for the write API; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    staff: Mapped[Staff] = relationship(lazy="joined")


class StaffSession(db.Model):
    """A signed-in desk session, when sessions are kept in the database (no REDIS_URL).

    The browser's cookie holds a random token; only its SHA-256 is kept here, so a copy of this
    table (a backup, a read-only leak) signs nobody in. staff/sessions.py holds the rules.
    """

    __tablename__ = "staff_session"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))
