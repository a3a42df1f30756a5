"""Thousands of random signed bodies: the webhook stores or refuses each one, never a 500."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.inbound.conftest import post

HEADER_NAMES = ["From", "To", "Cc", "Subject", "Message-ID", "In-Reply-To", "References", "Content-Type",
                "Content-Transfer-Encoding", "Auto-Submitted", "Delivered-To", "Date", "MIME-Version"]
header_line = st.builds(
    lambda name, value: name.encode() + b": " + value + b"\r\n",
    st.sampled_from(HEADER_NAMES),
    st.one_of(
        st.binary(max_size=80),
        st.sampled_from([b"reply+1-1-aaaaaaaaaaaaaaaa@reply.localhost", b"<x@y>", b"multipart/mixed; boundary=b",
                         b"text/plain; charset=utf-7", b"base64", b"auto-replied", b"=?utf-8?q?=E2=82?="]),
    ),
)
bodies = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda headers, body: b"".join(headers) + b"\r\n" + body,
              st.lists(header_line, max_size=12), st.binary(max_size=500)),
)


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies)
def test_random_signed_bodies_never_cause_a_500(client, body):
    response = post(client, body)
    assert response.status_code == 202, response.get_data(as_text=True)
    assert response.get_json()["status"] in {"accepted", "duplicate"}
