"""The webhook signature header: exact HMAC-SHA256 of the raw body, nothing else passes."""
from __future__ import annotations

import hashlib
import hmac

import pytest

from service.mail.inbound import compute_signature, verify_signature

SECRET = "webhook-secret"
BODY = b"From: a@clinic.example\r\nTo: reply+tok@reply.localhost\r\n\r\nYes.\r\n"


def test_signature_is_hex_hmac_sha256_of_the_raw_body():
    expected = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert compute_signature(BODY, SECRET) == f"sha256={expected}"


def test_genuine_signature_is_accepted():
    assert verify_signature(BODY, compute_signature(BODY, SECRET), SECRET)
    assert verify_signature(BODY, compute_signature(BODY, SECRET.encode()), SECRET.encode())


def test_upper_case_hex_and_surrounding_space_are_accepted():
    value = compute_signature(BODY, SECRET)
    assert verify_signature(BODY, "  SHA256=" + value[7:].upper() + " ", SECRET)


def test_forged_signature_header_is_rejected():
    assert not verify_signature(BODY, "sha256=" + "0" * 64, SECRET)


def test_signature_of_a_changed_body_is_rejected():
    tampered = BODY.replace(b"reply+tok", b"reply+other")
    assert not verify_signature(tampered, compute_signature(BODY, SECRET), SECRET)


def test_signature_made_with_another_secret_is_rejected():
    assert not verify_signature(BODY, compute_signature(BODY, "other"), SECRET)


@pytest.mark.parametrize("header", [None, "", "sha256=", "sha1=" + "0" * 40, compute_signature(BODY, SECRET)[7:],
                                    "sha256=ünïcödé", "sha256=" + "a" * 10_000])
def test_missing_or_malformed_signature_is_rejected(header):
    assert not verify_signature(BODY, header, SECRET)


@pytest.mark.parametrize("secret", [None, ""])
def test_nothing_verifies_without_a_configured_secret(secret):
    assert not verify_signature(BODY, compute_signature(BODY, ""), secret)
