"""Quarantined replies on the desk: counted, listed on their question, released by a coordinator."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.extensions import db
from service.mail.inbound.models import InboundMessage
from tests.desk.factories import csrf_token, eager_celery, emails, make_ticket
from tests.inbound.mails import gmail_reply


@pytest.fixture
def app_config():
    return {"CELERY": eager_celery()}


@pytest.fixture
def quarantined(make_staff):
    surgeon = make_staff("a@clinic.test", name="Dr A", role="surgeon")
    make_staff("coord@clinic.test", name="Cora", role="coordinator", specialties=())
    ticket = make_ticket(assignee=surgeon)
    raw = gmail_reply(sent_to="clinic@neurodesk.localhost", sent_from="Dr A <a.private@example.test>",
                      subject=f"[{ticket.reference}] New spine question", in_reply_to=None, reply_to=None)
    inbound = InboundMessage(message_id="<q1@mail.gmail.com>", raw=raw, size=len(raw), source="webhook",
                             status="quarantined", reason="sender is not staff on this ticket", ticket_id=ticket.id,
                             from_address="a.private@example.test", subject=f"Re: [{ticket.reference}]")
    db.session.add(inbound)
    db.session.commit()
    return ticket, inbound


def test_quarantine_is_counted_listed_and_released_once(client, sign_in, quarantined):
    ticket, inbound = quarantined
    sign_in("coord@clinic.test")
    assert "1 email in quarantine" in client.get("/desk/").text
    assert "a.private@example.test" in client.get(f"/desk/tickets/{ticket.reference}").text
    assert ticket.reference in client.get("/desk/quarantine?page=7").text  # past the end: last page
    token = csrf_token(client)
    for _ in range(2):
        response = client.post(f"/desk/quarantine/{inbound.id}/release",
                               data={"csrf_token": token, "next": f"/desk/tickets/{ticket.reference}"})
        assert response.status_code in (303, 404)
    assert response.headers.get("Location", f"/desk/tickets/{ticket.reference}").endswith(ticket.reference)
    answers = emails("surgeon_answer", ticket)
    assert len(answers) == 1 and answers[0].to_addr == "Ann Patient <ann@example.test>"
    assert "discectomy" in answers[0].text_body
    released = db.session.execute(select(AuditEvent).where(AuditEvent.action == "ticket.release")).scalars().all()
    assert len(released) == 1 and released[0].target_id == str(ticket.id)


def test_surgeons_cannot_release_or_list(client, sign_in, quarantined):
    _, inbound = quarantined
    sign_in("a@clinic.test")
    assert client.get("/desk/quarantine").status_code == 403
    response = client.post(f"/desk/quarantine/{inbound.id}/release", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(InboundMessage, inbound.id).status == "quarantined" and emails() == []
