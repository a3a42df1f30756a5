"""Content edits appear in the append-only audit log beside the content change log."""
from __future__ import annotations

from sqlalchemy import select

from service.audit.models import AuditEvent
from service.content.changes import record_change
from service.extensions import db


def test_record_change_writes_an_audit_event(app, make_staff):
    editor = make_staff("ed@clinic.test", name="Ed", role="coordinator", specialties=())
    record_change("article", 7, "publish", "Sciatica explained", editor)
    record_change("faq", 3, "delete", "Old question", None)
    db.session.commit()
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    assert [(e.action, e.target_type, e.target_id, e.actor_label, e.details["label"]) for e in events] == [
        ("article.publish", "article", "7", "ed@clinic.test", "Sciatica explained"),
        ("faq.delete", "faq", "3", "system", "Old question"),
    ]
