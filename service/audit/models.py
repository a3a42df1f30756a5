"""AuditEvent: one row per security- or care-relevant action, never changed afterwards."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from service.extensions import db
from service.staff.models import utcnow


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove an audit event: a bug, never user input."""


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_target", "target_type", "target_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key on purpose: the log must outlive the rows it describes, and a cascade
    # (SET NULL, DELETE) would be exactly the silent rewrite an audit log must never suffer.
    # actor_label keeps who it was even if the account is later renamed.
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(254))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    @property
    def details(self) -> dict[str, Any]:
        return json.loads(self.detail or "{}")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.target_type}:{self.target_id} by {self.actor_label}>"


def _refuse(mapper: Any, connection: Any, target: AuditEvent) -> None:
    raise AuditLogIsAppendOnly(f"audit event {target.id} cannot be changed or deleted")


event.listen(AuditEvent, "before_update", _refuse)
event.listen(AuditEvent, "before_delete", _refuse)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: Any) -> None:
    # Bulk `update(AuditEvent)` / `delete(AuditEvent)` skip the mapper events above; the
    # database triggers from migration 0006 are the last line, this is the friendlier first.
    if (state.is_update or state.is_delete) and any(
        m.class_ is AuditEvent for m in state.all_mappers
    ):
        raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")
