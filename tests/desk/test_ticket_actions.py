"""What the desk actions do: emails, corrections, notes, answers, idempotency, escaping, CSRF."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.extensions import db
from service.tickets import actions
from service.tickets.models import Message, OutboundEmail, Ticket
from service.triage.models import TriageCorrection
from tests.desk.factories import count, csrf_token, eager_celery, emails, make_ticket

XSS_NAME = "<script>alert(1)</script>"
XSS_QUESTION = '"><img src=x onerror=alert(2)> my back hurts'


@pytest.fixture
def app_config():
    return {"CELERY": eager_celery()}


@pytest.fixture
def team(make_staff):
    return {
        "a": make_staff("a@clinic.test", name="Dr A", role="surgeon", specialties=("spine",)),
        "b": make_staff("b@clinic.test", name="Dr B", role="surgeon", specialties=("brain",)),
        "coord": make_staff("coord@clinic.test", name="Cora", role="coordinator", specialties=()),
    }


@pytest.fixture
def coordinator_client(client, sign_in, team):
    sign_in("coord@clinic.test")
    return client


def post(client, ticket: Ticket, path: str, **data):
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(f"/desk/tickets/{ticket.reference}/{path}", data=data)


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


def test_reassign_emails_the_new_surgeon_once_under_double_submit(coordinator_client, team):
    ticket = make_ticket(assignee=team["a"])
    token = csrf_token(coordinator_client)
    first = post(coordinator_client, ticket, "assign", surgeon=team["b"].id, csrf_token=token)
    second = post(coordinator_client, ticket, "assign", surgeon=team["b"].id, csrf_token=token)
    assert first.status_code == second.status_code == 303
    sent = emails("surgeon_notification", ticket)
    assert [e.to_addr for e in sent] == ["Dr B <b@clinic.test>"]
    assert sent[0].status == "kept"  # delivered by the eager worker into the dev mailbox
    assert f"[{ticket.reference}]" in sent[0].subject and "reply+" in sent[0].headers["Reply-To"]
    assert len(audit("ticket.assign")) == 1  # the second submit changed nothing, so records nothing
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).assignee_id == team["b"].id
    assert "Already assigned" in coordinator_client.get(f"/desk/tickets/{ticket.reference}").text


def test_each_new_assignment_gets_its_own_email(app, team):
    ticket = make_ticket(assignee=team["a"])
    for surgeon in (team["b"], team["a"], team["b"]):
        assert actions.assign(ticket, surgeon.id, actor=team["coord"]) is True
    db.session.commit()
    sent = emails("surgeon_notification", ticket)
    assert [e.to_addr.split("<")[1] for e in sent] == ["b@clinic.test>", "a@clinic.test>", "b@clinic.test>"]
    assert len({e.idempotency_key for e in sent}) == len({e.message_id for e in sent}) == 3


def test_reassign_refuses_non_surgeons_and_inactive_surgeons(coordinator_client, team, make_staff):
    gone = make_staff("gone@clinic.test", name="Dr Gone", role="surgeon")
    gone.active = False
    db.session.commit()
    ticket = make_ticket(assignee=team["a"])
    for target in (team["coord"].id, gone.id, 999999, "abc"):
        response = post(coordinator_client, ticket, "assign", surgeon=target)
        assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).assignee_id == team["a"].id
    assert emails() == []


def test_retag_stores_a_triage_correction_and_can_reroute(coordinator_client, team):
    ticket = make_ticket(assignee=team["a"], tag="spine", question="Headaches and blurred vision for weeks")
    response = post(coordinator_client, ticket, "tag", tag="brain", reroute="y")
    assert response.status_code == 303
    correction = db.session.execute(select(TriageCorrection)).scalar_one()
    assert (correction.tag, correction.previous_tag, correction.ticket_id) == ("brain", "spine", ticket.id)
    assert correction.text.startswith("Headaches") and correction.staff_id == team["coord"].id
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.tag == "brain" and ticket.assignee_id == team["b"].id  # the brain surgeon
    assert [e.to_addr for e in emails("surgeon_notification", ticket)] == ["Dr B <b@clinic.test>"]
    # The same tag again is no correction at all.
    post(coordinator_client, ticket, "tag", tag="brain")
    assert count(TriageCorrection) == 1


def test_unknown_topic_is_refused_without_a_500(coordinator_client, team):
    ticket = make_ticket()
    assert post(coordinator_client, ticket, "tag", tag="<b>kidney</b>").status_code == 303
    assert count(TriageCorrection) == 0


def test_a_note_is_stored_once_and_never_mailed(client, sign_in, team):
    ticket = make_ticket(assignee=team["a"])
    sign_in("a@clinic.test")
    token = csrf_token(client)
    for _ in range(2):  # double submit: same form nonce
        assert post(client, ticket, "note", body="Consider MRI", nonce="c0ffee" * 4, csrf_token=token).status_code == 303
    notes = db.session.execute(select(Message).where(Message.kind == "note")).scalars().all()
    assert [n.body for n in notes] == ["Consider MRI"]
    assert emails() == []
    assert len(audit("ticket.note")) == 1
    assert "Consider MRI" in client.get(f"/desk/tickets/{ticket.reference}").text


def test_the_assigned_surgeon_answers_from_the_web(client, sign_in, team):
    ticket = make_ticket(assignee=team["a"])
    sign_in("a@clinic.test")
    for _ in range(2):
        response = post(client, ticket, "reply", body="Rest and see your GP.", nonce="beef" * 5)
        assert response.status_code == 303
    sent = emails("surgeon_answer", ticket)
    assert len(sent) == 1
    assert sent[0].to_addr == "Ann Patient <ann@example.test>" and ticket.reference in sent[0].subject
    assert "Rest and see your GP." in sent[0].text_body and "Auto-Submitted" not in sent[0].headers
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.status == "answered" and ticket.first_response_at is not None
    assert [m.body for m in ticket.messages if m.kind == "surgeon"] == ["Rest and see your GP."]


def test_close_reopen_spam_and_urgency_are_recorded_once_each(coordinator_client, team):
    ticket = make_ticket(assignee=team["a"])
    for path, data in (("urgency", {"urgent": "1"}), ("urgency", {"urgent": "1"}), ("close", {}), ("close", {}),
                       ("reopen", {}), ("reopen", {}), ("spam", {}), ("spam", {})):
        assert post(coordinator_client, ticket, path, **data).status_code == 303
    actions_seen = [e.action for e in db.session.execute(select(AuditEvent).where(
        AuditEvent.target_type == "ticket").order_by(AuditEvent.id)).scalars()]
    assert actions_seen == ["ticket.urgent", "ticket.close", "ticket.reopen", "ticket.spam"]
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.status == "spam" and ticket.urgent and ticket.closed_at is not None
    history = coordinator_client.get(f"/desk/tickets/{ticket.reference}").text
    assert "Marked urgent" in history and "Marked as spam" in history and "coord@clinic.test" in history


def test_actions_without_csrf_token_are_refused_and_change_nothing(coordinator_client, team):
    ticket = make_ticket(assignee=team["a"])
    for path in ("assign", "tag", "urgency", "note", "reply", "close", "reopen", "spam"):
        response = coordinator_client.post(f"/desk/tickets/{ticket.reference}/{path}", data={
            "surgeon": team["b"].id, "tag": "brain", "urgent": "1", "body": "x", "nonce": "ab" * 16})
        assert response.status_code == 400 and "CSRF" in response.text
    db.session.expire_all()
    t = db.session.get(Ticket, ticket.id)
    assert (t.assignee_id, t.tag, t.urgent, t.status) == (team["a"].id, "spine", False, "assigned")
    assert count(Message) == 1 and count(AuditEvent) == 1  # only the coordinator's login


def test_patient_text_is_escaped_on_queue_ticket_page_and_in_the_email(coordinator_client, team):
    ticket = make_ticket(name=XSS_NAME, question=XSS_QUESTION)
    for html in (coordinator_client.get("/desk/?queue=all").text,
                 coordinator_client.get(f"/desk/?queue=all&q={ticket.reference}").text,
                 coordinator_client.get(f"/desk/tickets/{ticket.reference}").text):
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in coordinator_client.get(
        f"/desk/tickets/{ticket.reference}").text
    post(coordinator_client, ticket, "assign", surgeon=team["b"].id)
    email = emails("surgeon_notification", ticket)[0]
    assert "<script>alert(1)" not in email.html_body and "<img src=x" not in email.html_body
    assert "&lt;script&gt;" in email.html_body
