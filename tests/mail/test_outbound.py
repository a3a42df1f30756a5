"""Delivering queued email over real SMTP: once, with retries for temporary failures."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.extensions import db
from service.mail.outbound import Draft, TransientMailError, deliver, queue_email
from service.tickets.models import OutboundEmail, OutboxEvent


@pytest.fixture
def app_config(smtp_server):
    from tests.tickets.conftest import celery_config

    return {"CELERY": celery_config(), "MAIL_SERVER": smtp_server.host, "MAIL_PORT": smtp_server.port,
            "MAIL_SUPPRESS_SEND": False}


def queued(key="test:1") -> OutboundEmail:
    email = queue_email(Draft(
        key=key, kind="test", to="Dr Ann <ann@clinic.test>", subject="[Q-AAAA-BBBB] Hello",
        template="red_flag_alert", message_id=f"<{key.replace(':', '-')}@reply.localhost>",
        reply_to="reply+1-1-aaaaaaaaaaaaaaaa@reply.localhost",
        context={"ticket": type("T", (), {"reference": "Q-AAAA-BBBB", "patient_name": "P",
                                          "patient_email": "p@example.test",
                                          "created_at": __import__("datetime").datetime(2026, 1, 1)})(),
                 "reasons": ["why <b>"], "desk_url": "http://x/desk"},
    ))
    db.session.commit()
    return email


def test_queuing_the_same_key_twice_gives_one_row_and_one_event(app):
    first = queued()
    second = queued()
    assert first.id == second.id
    assert len(db.session.execute(select(OutboxEvent)).scalars().all()) == 1


def test_delivered_once_with_stable_headers_even_if_asked_twice(app, smtp_server):
    email = queued()
    assert deliver(email.id) == "sent"
    assert deliver(email.id) == "sent"
    [message] = smtp_server.messages
    assert message["Message-ID"] == email.message_id
    assert message["Reply-To"] == "reply+1-1-aaaaaaaaaaaaaaaa@reply.localhost"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["To"] == "Dr Ann <ann@clinic.test>"
    assert message.get_body(("plain",)).get_content().startswith("RED FLAG")
    assert "why &lt;b&gt;" in message.get_body(("html",)).get_content()


def test_temporary_451_is_retried_and_then_delivered(app, smtp_server):
    email = queued()
    smtp_server.fail_next(1)
    with pytest.raises(TransientMailError, match="451"):
        deliver(email.id)
    db.session.expire_all()
    row = db.session.get(OutboundEmail, email.id)
    assert (row.status, row.attempts) == ("queued", 1) and "451" in row.last_error
    assert deliver(email.id) == "sent"
    assert len(smtp_server.messages) == 1 and smtp_server.attempts == 2


def test_unreachable_server_is_temporary(app, smtp_server):
    email = queued()
    app.config["MAIL_PORT"] = 1
    app.extensions["mail"].port = 1
    with pytest.raises(TransientMailError):
        deliver(email.id)


def test_without_a_mail_server_mail_is_kept_for_the_dev_mailbox(app, smtp_server):
    app.config["MAIL_SERVER"] = None
    email = queued()
    assert deliver(email.id) == "kept"
    assert smtp_server.messages == []
