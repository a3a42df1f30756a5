"""Signed reply addresses: they name a ticket and recipient, and cannot be forged or altered."""
from __future__ import annotations

import pytest

from service.mail.addresses import mailbox, parse_reply_address, reply_address_for


def test_reply_address_round_trips_ticket_and_staff(app):
    address = reply_address_for(1234, 7)
    assert address.startswith("reply+") and address.endswith("@reply.localhost")
    assert address == address.lower()  # survives MTAs that lowercase local parts
    token = parse_reply_address(address)
    assert (token.ticket_id, token.staff_id) == (1234, 7)
    assert parse_reply_address(address.upper().replace("@REPLY.LOCALHOST", "@reply.localhost")) == token


def test_patient_reply_address_names_no_staff(app):
    token = parse_reply_address(reply_address_for(99, None))
    assert (token.ticket_id, token.staff_id) == (99, None)


@pytest.mark.parametrize("tamper", [
    lambda a: a.replace("reply+", "reply+1"),  # another ticket id
    lambda a: a.replace("-7-", "-8-"),  # another staff member
    lambda a: a[:-len("@reply.localhost") - 1] + ("a" if a[-len("@reply.localhost") - 1] != "a" else "b") + "@reply.localhost",
    lambda a: a.replace("@reply.localhost", "@evil.example.com"),
    lambda a: "someone@reply.localhost",
])
def test_forged_or_altered_reply_address_is_rejected(app, tamper):
    assert parse_reply_address(tamper(reply_address_for(1234, 7))) is None


def test_a_token_from_another_secret_key_is_rejected(app):
    address = reply_address_for(5, 3)
    app.config["SECRET_KEY"] = "another-key"
    assert parse_reply_address(address) is None


def test_mailbox_refuses_header_injection(app):
    assert mailbox("Dr Ann Smith", "ann@clinic.test") == "Dr Ann Smith <ann@clinic.test>"
    assert mailbox("Zoë", "zoe@clinic.test").startswith("=?utf-8?")
    with pytest.raises(ValueError):
        mailbox("Eve", "eve@clinic.test\r\nBcc: victim@example.com")
