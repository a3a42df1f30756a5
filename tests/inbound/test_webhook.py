"""POST /inbound/email at the edge: configuration, media type, size, signature; never a 500."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.extensions import db
from service.mail.inbound.models import InboundMessage
from service.mail.inbound.parse import MAX_INBOUND_BYTES
from service.mail.inbound.signature import compute_signature
from tests.inbound.conftest import SECRET, post

MINIMAL = b"From: a@b.test\r\nTo: c@d.test\r\nSubject: hi\r\nMessage-ID: <m1@b.test>\r\n\r\nhello\r\n"


def stored() -> list[InboundMessage]:
    db.session.expire_all()
    return db.session.execute(select(InboundMessage).order_by(InboundMessage.id)).scalars().all()


@pytest.mark.parametrize("app_config", [{"INBOUND_WEBHOOK_SECRET": None}])
def test_without_a_configured_secret_the_endpoint_answers_503(client):
    response = post(client, MINIMAL, secret="anything")
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "inbound_disabled"
    assert stored() == []


def test_missing_signature_is_401(client):
    response = post(client, MINIMAL, secret=None)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "bad_signature"
    assert stored() == []


@pytest.mark.parametrize("signature", [
    "sha256=" + "0" * 64, "sha1=abc", "", "sha256=", "sha256=ÿÿ", compute_signature(MINIMAL, "other-secret"),
])
def test_bad_signature_is_401(client, signature):
    assert post(client, MINIMAL, signature=signature).status_code == 401
    assert stored() == []


def test_signature_over_other_bytes_is_401(client):
    assert post(client, MINIMAL + b"tampered", signature=compute_signature(MINIMAL, SECRET)).status_code == 401


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "multipart/form-data; boundary=x", ""])
def test_wrong_content_type_is_415(client, content_type):
    response = post(client, MINIMAL, content_type=content_type)
    assert response.status_code == 415 and response.get_json()["error"]["code"] == "unsupported_media_type"


def test_content_type_parameters_are_accepted(client):
    assert post(client, MINIMAL, content_type="message/rfc822; charset=utf-8").status_code == 202


def test_body_over_the_inbound_limit_is_413_but_under_it_passes_the_2mb_form_limit(client):
    big = MINIMAL + b"x" * (3 * 1024 * 1024)  # above the app-wide 2 MB, below the inbound limit
    response = post(client, big)
    assert response.status_code == 202, response.get_data(as_text=True)
    too_big = MINIMAL + b"x" * MAX_INBOUND_BYTES
    response = post(client, too_big)
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "payload_too_large"
    assert len(stored()) == 1


def test_get_is_405_json(client):
    response = client.get("/inbound/email")
    assert response.status_code == 405 and "error" in response.get_json()


@pytest.mark.parametrize("body", [
    b"",
    b"\x00\x01\x02\xff\xfe binary \x00",
    b"not an email at all",
    b"From: \x00\xff\r\nMessage-ID: <\x00x@y>\r\nSubject: =?x-unknown?B?////?=\r\n\r\n\x00",
    b"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n--\r\n",
    b"Content-Type: text/plain; charset=x-no-such-charset\r\nMessage-ID: <cs@x>\r\n\r\n\xe9\xe8",
    b"Message-ID: <" + b"a" * 5000 + b"@x>\r\n\r\nlong id",
    b"From: x@y\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64===",
], ids=["empty", "binary", "no-headers", "nul-headers", "empty-boundary", "unknown-charset", "long-id", "bad-base64"])
def test_malformed_signed_bodies_are_stored_for_a_coordinator_never_500(client, body):
    response = post(client, body)
    assert response.status_code == 202 and response.get_json() == {"status": "accepted"}
    [inbound] = stored()
    assert inbound.raw == body and inbound.status in {"quarantined", "automatic"}
    assert len(inbound.message_id) <= 255 and not inbound.reason.startswith("could not be processed")
    again = post(client, body)
    assert again.status_code == 202 and again.get_json() == {"status": "duplicate"}
