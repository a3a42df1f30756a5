"""Replies that reach the reply mailbox: the beat task polls a real Dovecot and relays each once."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.extensions import db
from service.mail.inbound.imap import PROCESSED_KEYWORD
from service.mail.inbound.models import InboundMessage
from service.tickets.models import OutboundEmail, Ticket
from tests.inbound.conftest import inbound_settings, notification_for
from tests.inbound.mails import ANSWER, reply_to_row
from tests.mail.conftest import dovecot, imap_account  # noqa: F401
from tests.mail.imap_server import free_port


@pytest.fixture
def app_config(smtp_server, imap_account):  # noqa: F811
    return {**inbound_settings(smtp_server),
            "IMAP_HOST": imap_account.host, "IMAP_PORT": imap_account.port, "IMAP_USER": imap_account.user,
            "IMAP_PASSWORD": imap_account.password, "IMAP_USE_SSL": False}


def poll(app) -> int:
    """What beat's neurodesk.poll_imap does every 30 s."""
    return app.extensions["celery"].tasks["neurodesk.poll_imap"].apply().get()


def answers() -> int:
    return db.session.execute(
        select(func.count()).select_from(OutboundEmail).where(OutboundEmail.kind == "surgeon_answer")
    ).scalar_one()


def test_a_reply_in_the_mailbox_is_picked_up_and_forwarded_once(app, ticket, imap_account, smtp_server):  # noqa: F811
    uid = imap_account.append(reply_to_row(notification_for(ticket), sent_from="dr.spine@clinic.test"))
    assert poll(app) == 1
    messages = smtp_server.wait_for(lambda ms: any("Answer to your question" in m["Subject"] for m in ms))
    [answer] = [m for m in messages if "Answer to your question" in m["Subject"]]
    assert ANSWER.splitlines()[0] in answer.get_body(("plain",)).get_content()
    assert PROCESSED_KEYWORD in imap_account.flags()[uid]
    db.session.expire_all()
    [inbound] = db.session.execute(select(InboundMessage)).scalars().all()
    assert (inbound.source, inbound.status) == ("imap", "forwarded")
    assert db.session.get(Ticket, ticket.id).status == "answered"

    assert poll(app) == 0  # the second poll finds nothing new
    assert answers() == 1 and len([m for m in smtp_server.messages if "Answer to" in m["Subject"]]) == 1


def test_a_copy_already_stored_by_the_webhook_is_not_relayed_again(app, client, ticket, imap_account, smtp_server):  # noqa: F811
    from tests.inbound.conftest import post

    raw = reply_to_row(notification_for(ticket), sent_from="dr.spine@clinic.test")
    assert post(client, raw).get_json() == {"status": "accepted"}
    uid = imap_account.append(raw)  # the relay also delivered it to the mailbox
    assert poll(app) == 0
    assert PROCESSED_KEYWORD in imap_account.flags()[uid]  # a duplicate is still marked, never fetched again
    assert answers() == 1


def test_an_unreachable_mailbox_is_left_for_the_next_beat(app):
    from service.mail.inbound.polling import poll_reply_mailbox

    app.config["IMAP_PORT"] = free_port()  # nothing listens there
    result = poll_reply_mailbox()  # logs a warning with the host, never message content
    assert (result.stored, result.error) == (0, "MailboxUnavailable")
    assert poll(app) == 0  # the task itself does not raise: the next beat simply tries again
