"""Issue 17's attacks as properties: an address typed any which way is one identity (V2), and a
JSON body nested to any depth is a clear 400, never a 500 (V3). Path numbers: tests/security.
"""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from service.email_identity import email_identity
from service.json_bodies import MAX_DEPTH
from service.tickets.api import MAX_BODY_BYTES
from service.tickets.forms import AskForm
from tests.tickets.conftest import celery_config

SETTINGS = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ASCII = "abcdefghijklmnopqrstuvwxyz0123456789"
# Letters a patient's address may really hold, beside ASCII: the domain goes through IDNA.
INTERNATIONAL = ASCII + "äöüéèçñßøåłżš"
FULL_STOPS = (".", "．", "。", "｡")  # ASCII, full-width, ideographic, half-width ideographic


@pytest.fixture
def db_backend() -> str:
    return "sqlite"


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CELERY": celery_config()}


def full_width(char: str) -> str:
    return chr(ord(char) + 0xFEE0) if len(char) == 1 and "!" <= char <= "~" else char


@st.composite
def plain_addresses(draw) -> str:
    local = draw(st.text(ASCII, min_size=1, max_size=16))
    labels = draw(st.lists(st.text(ASCII, min_size=1, max_size=12), min_size=1, max_size=3))
    return f"{local}@{'.'.join(labels)}.com"


@st.composite
def disguised(draw, address: str) -> str:
    """The same address as someone (or some script) might type it: case, full-width, odd full stops."""
    out = []
    for char in address:
        if char == ".":
            out.append(draw(st.sampled_from(FULL_STOPS)))
        else:
            # Upper case only where lower-casing gives the letter back (not ß -> SS -> ss).
            upper = char.upper() if char.upper().lower() == char else char
            out.append(draw(st.sampled_from([char, upper, full_width(char), full_width(upper)])))
    return "".join(out)


@SETTINGS
@given(data=st.data())
def test_an_address_typed_any_which_way_has_the_plain_addresss_identity(data):
    address = data.draw(plain_addresses())
    assert email_identity(data.draw(disguised(address))) == address


@SETTINGS
@given(text=st.text(max_size=300))
def test_every_string_has_one_identity_and_it_is_its_own(text):
    identity = email_identity(text)
    assert email_identity(identity) == identity


def stored_email(app, raw: str) -> str | None:
    """What intake would store for `raw`, or None when the form refuses it."""
    with app.test_request_context():
        form = AskForm(formdata=MultiDict({"name": "Ann", "email": raw, "question": "My back hurts a lot.",
                                           "consent": "y"}), meta={"csrf": False})
        return form.email.data if form.validate() else None


@SETTINGS
@given(data=st.data())
def test_intake_accepts_a_plain_address_typed_any_which_way_and_stores_it_plain(app, data):
    address = data.draw(plain_addresses())
    assert stored_email(app, data.draw(disguised(address))) == address


@SETTINGS
@given(data=st.data())
def test_intake_stores_exactly_the_identity_its_limit_counted(app, data):
    """The per-email limit keys on email_identity(what was typed); intake stores what the form
    makes of it. For every address the form accepts, typed any which way, the two agree."""
    local = data.draw(st.text(INTERNATIONAL, min_size=1, max_size=16))
    labels = data.draw(st.lists(st.text(INTERNATIONAL, min_size=1, max_size=12), min_size=1, max_size=3))
    address = f"{local}@{'.'.join(labels)}.com"
    typed = data.draw(disguised(address))
    stored = stored_email(app, typed)
    if stored is not None:
        assert stored == email_identity(typed) == email_identity(address)


def nested(kind: str, depth: int) -> str:
    opener, closer = ('{"k": ', "}") if kind == "object" else ("[", "]")
    return opener * depth + "1" + closer * depth


QUESTION = {"name": "Ann", "email": "ann@example.test", "question": "My lower back hurts down my leg.",
            "consent": True}


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(depth=st.integers(min_value=1, max_value=20_000), kind=st.sampled_from(["array", "object"]),
       wrapped=st.booleans())
def test_a_question_nested_to_any_depth_is_accepted_or_a_clear_4xx(client, depth, kind, wrapped):
    value = nested(kind, depth)
    body = json.dumps(QUESTION)[:-1] + ', "extra": ' + value + "}" if wrapped else value
    response = client.post("/api/v1/questions", data=body, content_type="application/json")
    error = response.get_json().get("error", {})
    total = depth + (1 if wrapped else 0)
    if len(body.encode()) > MAX_BODY_BYTES:  # size is checked first
        assert (response.status_code, error.get("code")) == (413, "payload_too_large")
    elif total > MAX_DEPTH:
        assert (response.status_code, error.get("code")) == (400, "json_too_deep")
    elif wrapped:
        assert response.status_code == 202  # unknown keys are ignored, whatever they hold
    else:
        assert response.status_code == 422
