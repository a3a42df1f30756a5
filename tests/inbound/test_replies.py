"""Surgeons reply by email (CONTRACT.md section 6): relayed once when authentic, quarantined otherwise."""
from __future__ import annotations

from sqlalchemy import func, select

from service.extensions import db
from service.mail.addresses import parse_reply_address, reply_address_for
from service.mail.inbound.models import InboundMessage
from service.mail.inbound.processing import dismiss_quarantined, quarantined_messages, release_quarantined
from service.tickets import outbox
from service.tickets.models import Message, OutboundEmail, Ticket
from tests.inbound.conftest import notification_for, post
from tests.inbound.mails import ANSWER, reply_to_row

SURGEON_FROM = "Dr Sam Spine <Dr.Spine@clinic.test>"


def inbound_rows() -> list[InboundMessage]:
    db.session.expire_all()
    return db.session.execute(select(InboundMessage).order_by(InboundMessage.id)).scalars().all()


def to_patient(messages):
    return [m for m in messages if "ann@example.test" in m["To"].lower()]


def answers(smtp_server):
    return [m for m in to_patient(smtp_server.messages) if "Answer to your question" in m["Subject"]]


def count_outbound(kind: str) -> int:
    return db.session.execute(select(func.count()).select_from(OutboundEmail).where(OutboundEmail.kind == kind)).scalar_one()


def test_surgeons_reply_reaches_the_patient_once_without_history_or_signature(client, ticket, surgeon, smtp_server):
    notification = notification_for(ticket)
    raw = reply_to_row(notification, sent_from=SURGEON_FROM)
    response = post(client, raw)
    assert response.status_code == 202 and response.get_json() == {"status": "accepted"}

    [answer] = smtp_server.wait_for(lambda ms: len(answers(smtp_server)) == 1) and answers(smtp_server)
    body = answer.get_body(("plain",)).get_content()
    assert ANSWER.splitlines()[0] in body and ANSWER.splitlines()[1] in body
    assert "Consultant Neurosurgeon" not in body and "+44 20" not in body  # signature stripped
    assert "wrote:" not in body and "> Would" not in body  # quoted history stripped
    assert "Dr Sam Spine" in body and ticket.reference in body and "reply to this email" in body
    assert answer["Subject"] == f"Re: [{ticket.reference}] Answer to your question"
    assert answer["To"] == "Ann Patient <Ann@Example.test>"
    assert answer["From"] == "Neurodesk Clinic <clinic@neurodesk.localhost>"
    assert parse_reply_address(answer["Reply-To"]).staff_id is None  # the patient's own signed address
    ack_id = f"<{ticket.reference.lower()}.ack@reply.localhost>"
    assert answer["In-Reply-To"] == ack_id and answer["References"] == ack_id
    assert answer["Auto-Submitted"] is None  # a human answer, relayed (RFC 3834 section 5)

    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.status == "answered" and ticket.first_response_at is not None
    [stored] = [m for m in ticket.messages if m.kind == "surgeon"]
    assert stored.author_id == surgeon.id and stored.body == ANSWER
    [inbound] = inbound_rows()
    assert (inbound.status, inbound.matched_by, inbound.ticket_id, inbound.source) == ("forwarded", "token", ticket.id, "webhook")
    assert inbound.raw == raw and stored.message_id == inbound.message_id


def test_the_same_webhook_body_twice_is_a_duplicate_and_one_patient_mail(client, ticket, smtp_server):
    raw = reply_to_row(notification_for(ticket), sent_from=SURGEON_FROM)
    assert post(client, raw).get_json() == {"status": "accepted"}
    second = post(client, raw)
    assert second.status_code == 202 and second.get_json() == {"status": "duplicate"}
    smtp_server.wait_for(lambda ms: len(answers(smtp_server)) == 1)
    assert len(inbound_rows()) == 1 and count_outbound("surgeon_answer") == 1


def test_processing_twice_or_redispatching_sends_once(client, app, ticket, smtp_server):
    from service.mail.inbound.processing import process_inbound

    post(client, reply_to_row(notification_for(ticket), sent_from=SURGEON_FROM))
    [inbound] = inbound_rows()
    assert process_inbound(inbound.id) == []
    outbox.relay_pending()  # the beat finds the work done and dispatches nothing new
    smtp_server.wait_for(lambda ms: len(answers(smtp_server)) == 1)
    assert count_outbound("surgeon_answer") == 1 and len(answers(smtp_server)) == 1


def test_first_response_time_is_recorded_once(client, ticket, smtp_server):
    notification = notification_for(ticket)
    post(client, reply_to_row(notification, sent_from=SURGEON_FROM))
    db.session.expire_all()
    first = db.session.get(Ticket, ticket.id).first_response_at
    post(client, reply_to_row(notification, sent_from=SURGEON_FROM, answer="One more thing: no lifting for now."))
    smtp_server.wait_for(lambda ms: len(answers(smtp_server)) == 2)
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).first_response_at == first


def test_forged_from_with_a_valid_token_is_quarantined_not_forwarded(client, ticket, smtp_server):
    before = len(smtp_server.messages)
    response = post(client, reply_to_row(notification_for(ticket), sent_from="Mallory <dr.spine@evil.test>"))
    assert response.get_json() == {"status": "accepted"}
    [inbound] = inbound_rows()
    assert inbound.status == "quarantined" and "sender is not the staff member" in inbound.reason
    assert inbound.ticket_id == ticket.id
    assert len(smtp_server.messages) == before and count_outbound("surgeon_answer") == 0
    assert db.session.get(Ticket, ticket.id).status == "assigned"


def test_valid_sender_with_a_tampered_token_is_quarantined(client, ticket, smtp_server):
    notification = notification_for(ticket)
    good = notification.headers["Reply-To"]
    local, domain = good.split("@")
    tampered = local[:-1] + ("a" if local[-1] != "a" else "b") + "@" + domain
    post(client, reply_to_row(notification, sent_from=SURGEON_FROM, reply_to=tampered))
    [inbound] = inbound_rows()
    # The thread still tells the coordinator which ticket it is about.
    assert (inbound.status, inbound.matched_by, inbound.ticket_id) == ("quarantined", "thread", ticket.id)
    assert inbound.reason == "reply token failed verification"
    assert count_outbound("surgeon_answer") == 0


def test_valid_sender_without_a_token_is_quarantined(client, ticket):
    post(client, reply_to_row(notification_for(ticket), sent_from=SURGEON_FROM, reply_to="clinic@neurodesk.localhost"))
    [inbound] = inbound_rows()
    assert (inbound.status, inbound.reason, inbound.matched_by) == ("quarantined", "no reply token", "thread")
    assert count_outbound("surgeon_answer") == 0


def test_subject_tag_alone_is_never_enough(client, ticket):
    from tests.inbound.mails import gmail_reply

    raw = gmail_reply(sent_to="clinic", sent_from=SURGEON_FROM, subject=f"[{ticket.reference}] question",
                      in_reply_to=None, reply_to="clinic@neurodesk.localhost")
    post(client, raw)
    [inbound] = inbound_rows()
    assert (inbound.status, inbound.matched_by, inbound.ticket_id) == ("quarantined", "subject", ticket.id)
    assert inbound.reason == "matched by subject only"
    assert count_outbound("surgeon_answer") == 0


def test_token_for_another_ticket_is_quarantined(client, ticket, surgeon, smtp_server):
    from service.tickets import services

    other = services.submit_question(name="Bob", email="bob@example.test", question=ticket.question, topic=None)
    db.session.commit()
    outbox.dispatch(other.event_ids)
    other_reply_to = reply_address_for(other.ticket_id, surgeon.id)
    post(client, reply_to_row(notification_for(ticket), sent_from=SURGEON_FROM, reply_to=other_reply_to))
    [inbound] = inbound_rows()
    assert inbound.status == "quarantined" and inbound.reason == "reply token names another ticket than the thread"
    assert count_outbound("surgeon_answer") == 0


def test_an_unassigned_surgeons_valid_reply_is_quarantined(client, ticket, make_staff):
    colleague = make_staff("dr.other@clinic.test", name="Dr Other", role="surgeon")
    raw = reply_to_row(notification_for(ticket), sent_from="dr.other@clinic.test",
                       reply_to=reply_address_for(ticket.id, colleague.id))
    post(client, raw)
    [inbound] = inbound_rows()
    assert inbound.status == "quarantined" and inbound.reason == "sender is no longer assigned to the ticket"


def test_a_reply_with_nothing_new_is_quarantined(client, ticket):
    raw = reply_to_row(notification_for(ticket), sent_from=SURGEON_FROM, answer="")
    post(client, raw)
    [inbound] = inbound_rows()
    assert inbound.status == "quarantined" and "no new text" in inbound.reason


def out_of_office(ticket, notification) -> bytes:
    return (
        f"From: Dr Sam Spine <dr.spine@clinic.test>\r\nTo: {notification.headers['Reply-To']}\r\n"
        f"Subject: Automatic reply: {notification.subject}\r\nAuto-Submitted: auto-replied\r\n"
        f"Message-ID: <ooo-1@clinic.test>\r\nIn-Reply-To: {notification.message_id}\r\n"
        "Content-Type: text/plain\r\n\r\nI am away until Monday.\r\n"
    ).encode()


def dsn(ticket) -> bytes:
    ack_id = f"<{ticket.reference.lower()}.ack@reply.localhost>"
    return (
        "From: MAILER-DAEMON@mx.example.test (Mail Delivery System)\r\nTo: clinic@neurodesk.localhost\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-1@mx.example.test>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver your message.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.test\r\n\r\n"
        "Final-Recipient: rfc822; ann@example.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        f"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {ack_id}\r\nSubject: We received\r\n\r\n"
        "--b--\r\n"
    ).encode()


def test_out_of_office_is_recorded_on_the_ticket_never_forwarded(client, ticket, smtp_server):
    before = len(smtp_server.messages)
    post(client, out_of_office(ticket, notification_for(ticket)))
    [inbound] = inbound_rows()
    assert (inbound.status, inbound.ticket_id) == ("automatic", ticket.id)
    [note] = [m for m in db.session.get(Ticket, ticket.id).messages if m.message_id == inbound.message_id]
    assert note.kind == "system" and "not forwarded" in note.body and inbound.reason.startswith("automatic: ")
    assert "away until Monday" not in note.body
    assert len(smtp_server.messages) == before  # nobody is answered, nothing is forwarded


def test_bounce_is_recorded_on_the_ticket_of_the_returned_mail(client, ticket, smtp_server):
    before = len(smtp_server.messages)
    post(client, dsn(ticket))
    [inbound] = inbound_rows()
    assert inbound.status == "automatic" and inbound.ticket_id == ticket.id and inbound.matched_by == "thread"
    assert "bounce" in inbound.reason or "dsn" in inbound.reason.lower()
    assert len(smtp_server.messages) == before


def test_our_own_mail_coming_back_is_ignored(client, ticket, smtp_server):
    notification = notification_for(ticket)
    looped = (f"From: Neurodesk Clinic <clinic@neurodesk.localhost>\r\nTo: {notification.headers['Reply-To']}\r\n"
              f"Subject: {notification.subject}\r\nMessage-ID: {notification.message_id}\r\n\r\nhello\r\n").encode()
    before = len(smtp_server.messages)
    post(client, looped)
    [inbound] = inbound_rows()
    assert inbound.status == "duplicate" and inbound.reason.startswith("loop")
    assert len(smtp_server.messages) == before


def answer_patient(client, ticket, smtp_server):
    post(client, reply_to_row(notification_for(ticket), sent_from=SURGEON_FROM))
    smtp_server.wait_for(lambda ms: len(answers(smtp_server)) == 1)
    return db.session.execute(select(OutboundEmail).where(OutboundEmail.kind == "surgeon_answer")).scalar_one()


def test_patients_follow_up_threads_into_the_ticket_reopens_it_and_notifies_the_surgeon(client, ticket, surgeon, smtp_server):
    answer = answer_patient(client, ticket, smtp_server)
    question = "Thank you. Can I keep swimming until the appointment?"
    raw = reply_to_row(answer, sent_from="Ann Patient <ann@example.test>", answer=question)
    assert post(client, raw).get_json() == {"status": "accepted"}
    messages = smtp_server.wait_for(lambda ms: any("Follow-up" in m["Subject"] for m in ms))
    [followup] = [m for m in messages if "Follow-up" in m["Subject"]]
    assert followup["To"] == "Dr Sam Spine <dr.spine@clinic.test>"
    assert f"[{ticket.reference}]" in followup["Subject"]
    assert parse_reply_address(followup["Reply-To"]).staff_id == surgeon.id
    assert followup["In-Reply-To"] == notification_for(ticket).message_id
    body = followup.get_body(("plain",)).get_content()
    assert question in body and "Dr Sam Spine\nConsultant" not in body
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.status == "assigned"
    assert [m.kind for m in ticket.messages if m.kind in ("patient", "surgeon")] == ["patient", "surgeon", "patient"]
    assert ticket.messages[-1].body == question

    # ...and the surgeon's answer to the follow-up reaches the patient again.
    post(client, reply_to_row(db.session.execute(select(OutboundEmail).where(
        OutboundEmail.kind == "patient_followup")).scalar_one(), sent_from=SURGEON_FROM, answer="Yes, gently."))
    smtp_server.wait_for(lambda ms: len(answers(smtp_server)) == 2)


def test_a_stranger_replying_with_the_patients_address_is_quarantined(client, ticket, smtp_server):
    answer = answer_patient(client, ticket, smtp_server)
    post(client, reply_to_row(answer, sent_from="someone@else.test", answer="Tell me more"))
    inbound = inbound_rows()[-1]
    assert inbound.status == "quarantined" and inbound.reason == "sender is not the ticket's patient"


def test_a_red_flag_follow_up_alerts_the_coordinators(client, ticket, coordinator, smtp_server):
    answer = answer_patient(client, ticket, smtp_server)
    post(client, reply_to_row(answer, sent_from="ann@example.test",
                              answer="Since this morning my groin is numb and I cannot pee."))
    messages = smtp_server.wait_for(lambda ms: any("red flag" in m["Subject"] for m in ms))
    assert any(m["Subject"].startswith("URGENT Re:") for m in messages)
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).urgent is True


def test_coordinator_releases_a_quarantined_reply_once(client, ticket, coordinator, smtp_server):
    post(client, reply_to_row(notification_for(ticket), sent_from="Dr Sam Spine <sam.personal@gmail.test>"))
    page = quarantined_messages(limit=10)
    assert page.total == 1 and page.items[0].from_address == "sam.personal@gmail.test"
    events = release_quarantined(page.items[0].id, coordinator)
    db.session.commit()
    outbox.dispatch(events)
    assert release_quarantined(page.items[0].id, coordinator) == []  # idempotent
    db.session.commit()
    smtp_server.wait_for(lambda ms: len(answers(smtp_server)) == 1)
    [inbound] = inbound_rows()
    assert inbound.status == "forwarded" and inbound.decided_by_id == coordinator.id
    assert quarantined_messages().total == 0
    assert db.session.get(Ticket, ticket.id).status == "answered"
    assert count_outbound("surgeon_answer") == 1


def test_coordinator_dismisses_a_quarantined_message(client, ticket, coordinator):
    post(client, reply_to_row(notification_for(ticket), sent_from="x@evil.test"))
    [inbound] = inbound_rows()
    dismiss_quarantined(inbound.id, coordinator)
    db.session.commit()
    assert inbound_rows()[0].status == "rejected" and count_outbound("surgeon_answer") == 0


def test_attachments_are_screened_by_type_content_and_size(client, ticket):
    from email.message import EmailMessage

    notification = notification_for(ticket)
    message = EmailMessage()
    message["From"] = SURGEON_FROM
    message["To"] = notification.headers["Reply-To"]
    message["Subject"] = "Re: " + notification.subject
    message["Message-ID"] = "<att-1@clinic.test>"
    message.set_content("Please see the leaflet attached.")
    message.add_attachment(b"%PDF-1.7\n...", maintype="application", subtype="pdf", filename="leaflet.pdf")
    message.add_attachment(b"MZ\x90\x00", maintype="application", subtype="x-msdownload", filename="run.exe")
    message.add_attachment(b"MZ\x90\x00", maintype="application", subtype="pdf", filename="fake.pdf")
    post(client, message.as_bytes())
    [inbound] = inbound_rows()
    rows = {a.filename: a for a in inbound.attachments}
    assert rows["leaflet.pdf"].accepted and rows["leaflet.pdf"].payload.startswith(b"%PDF")
    assert not rows["run.exe"].accepted and "not allowed" in rows["run.exe"].reason and rows["run.exe"].payload is None
    assert not rows["fake.pdf"].accepted and "content is not" in rows["fake.pdf"].reason
    assert inbound.status == "forwarded"


def test_relay_re_dispatches_a_message_whose_worker_died_before_commit(client, app, ticket, smtp_server):
    from service.mail.inbound.models import Source
    from service.mail.inbound.store import store_raw

    # Stored and dispatched, but the "worker" never committed: the row is still pending.
    stored = store_raw(reply_to_row(notification_for(ticket), sent_from=SURGEON_FROM), Source.WEBHOOK)
    from service.tickets.models import OutboxEvent
    from service.staff.models import utcnow

    db.session.get(OutboxEvent, stored.event_ids[0]).dispatched_at = utcnow()
    db.session.commit()
    assert outbox.relay_pending() == 1
    smtp_server.wait_for(lambda ms: len(answers(smtp_server)) == 1)
    assert inbound_rows()[0].status == "forwarded"
    outbox.relay_pending()
    assert count_outbound("surgeon_answer") == 1


def test_messages_table_keeps_the_inbound_message_id_once(client, ticket):
    raw = reply_to_row(notification_for(ticket), sent_from=SURGEON_FROM)
    post(client, raw)
    post(client, raw)
    [inbound] = inbound_rows()
    assert db.session.execute(select(func.count()).select_from(Message).where(
        Message.message_id == inbound.message_id)).scalar_one() == 1


def test_follow_up_mail_leaves_out_the_patients_text_when_staff_mail_carries_none(app, client, ticket, smtp_server):
    answer = answer_patient(client, ticket, smtp_server)
    app.config["MAIL_INCLUDE_QUESTION"] = False
    post(client, reply_to_row(answer, sent_from="ann@example.test", answer="Is swimming fine until then?"))
    messages = smtp_server.wait_for(lambda ms: any("Follow-up" in m["Subject"] for m in ms))
    [followup] = [m for m in messages if "Follow-up" in m["Subject"]]
    body = followup.get_body(("plain",)).get_content()
    assert "swimming" not in body and f"/desk/tickets/{ticket.reference}" in body
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).messages[-1].body == "Is swimming fine until then?"
