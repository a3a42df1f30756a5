"""classify_automatic: mail written by machines is recorded, never forwarded or answered."""
from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from service.mail.inbound import classify_automatic, parse_inbound


def msg(headers: str, body: str = "text\n"):
    return message_from_bytes((headers.strip() + "\n\n" + body).encode(), policy=policy.default)


HUMAN = "From: Dr A <a@clinic.example>\nTo: reply+t@reply.localhost\nSubject: Re: [Q-7K2M-9XQ4] question"


def test_human_reply_is_not_automatic():
    assert classify_automatic(msg(HUMAN)) is None


def test_dsn_is_recognised_as_bounce():
    m = msg(HUMAN + '\nContent-Type: multipart/report; report-type="delivery-status"; boundary=x',
            "--x\nContent-Type: text/plain\n\nfailed\n--x--\n")
    assert classify_automatic(m) == "bounce"


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example", "postmaster@hospital.example",
                                    "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"])
def test_mail_from_the_mail_system_is_a_bounce(sender: str):
    assert classify_automatic(msg(f"From: {sender}\nSubject: Delivery Status Notification (Failure)")) == "bounce"


def test_exim_failed_recipients_header_is_a_bounce():
    assert classify_automatic(msg(HUMAN + "\nX-Failed-Recipients: old@hospital.example")) == "bounce"


def test_empty_return_path_is_a_bounce():
    assert classify_automatic(msg("Return-Path: <>\n" + HUMAN)) == "bounce"


@pytest.mark.parametrize("value", ["auto-replied", "auto-generated", "auto-notified", "Auto-Replied (vacation)",
                                   "auto-generated; owner-email=x@y"])
def test_rfc3834_auto_submitted_is_automatic(value: str):
    assert classify_automatic(msg(HUMAN + f"\nAuto-Submitted: {value}")) == "auto-submitted"


def test_auto_submitted_no_is_a_human_message():
    assert classify_automatic(msg(HUMAN + "\nAuto-Submitted: no")) is None


@pytest.mark.parametrize("subject", ["Out of Office: [Q-7K2M-9XQ4]", "Automatic reply: question", "Autoreply: away",
                                     "Abwesenheitsnotiz: Frage", "Automatische Antwort: Frage",
                                     "Réponse automatique : question", "Autosvar: fråga", "Respuesta automática: x",
                                     "Out of the office until Monday"])
def test_out_of_office_subjects_are_recognised(subject: str):
    assert classify_automatic(msg(f"From: a@clinic.example\nSubject: {subject}")) == "out-of-office"


def test_a_reply_about_being_out_of_office_is_human():
    assert classify_automatic(msg("From: a@clinic.example\nSubject: Re: Out of office next week?")) is None


@pytest.mark.parametrize("header", ["X-Autoreply: yes", "X-Autorespond: Vacation", "X-Auto-Response-Suppress: OOF",
                                    "X-Auto-Response-Suppress: DR, OOF, AutoReply"])
def test_vendor_auto_reply_headers_are_recognised(header: str):
    assert classify_automatic(msg(HUMAN + f"\n{header}")) == "auto-reply"


def test_auto_response_suppress_without_oof_is_not_enough():
    # Outlook sets "X-Auto-Response-Suppress: RN, NRN" on ordinary mail with no receipts wanted.
    assert classify_automatic(msg(HUMAN + "\nX-Auto-Response-Suppress: RN, NRN")) is None


@pytest.mark.parametrize("value, reason", [("bulk", "bulk"), ("junk", "bulk"), ("list", "list"), ("Bulk", "bulk")])
def test_precedence_header_is_recognised(value: str, reason: str):
    assert classify_automatic(msg(HUMAN + f"\nPrecedence: {value}")) == reason


@pytest.mark.parametrize("header", ["List-Id: <news.example.org>", "List-Unsubscribe: <mailto:u@example.org>"])
def test_list_mail_is_recognised(header: str):
    assert classify_automatic(msg(HUMAN + f"\n{header}")) == "list"


def test_parse_inbound_records_the_reason():
    raw = (HUMAN + "\nAuto-Submitted: auto-replied\n\nAway.\n").encode()
    assert parse_inbound(raw).automatic == "auto-submitted"


def test_malformed_headers_do_not_break_classification():
    raw = b"From: =?x-bad?q?=ff?= <\r\nContent-Type: multipart/report; report-type\r\nSubject: =?utf-8?b?////?=\r\n\r\n"
    assert classify_automatic(message_from_bytes(raw, policy=policy.default)) in {None, "bounce"}
