"""POST /ask: the public form (CONTRACT.md section 3)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service.extensions import db
from service.tickets.models import Ticket
from tests.tickets.conftest import NOTHING, counts

QUESTION = "I have had neck pain for months and my hands tingle at night. What are my options?"


def form(csrf_token, **overrides):
    data = {"csrf_token": csrf_token, "name": "Ann Patient", "email": "ann@example.test", "question": QUESTION,
            "topic": "", "consent": "y", "website": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_valid_question_redirects_303_to_a_confirmation_showing_the_reference(client, csrf_token):
    response = client.post("/ask", data=form(csrf_token))
    assert response.status_code == 303
    reference = re.fullmatch(r"/ask/thanks/(Q-[0-9A-Z]{4}-[0-9A-Z]{4})", response.headers["Location"]).group(1)
    assert db.session.execute(select(Ticket.reference)).scalar_one() == reference
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and reference in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "Please get help now" not in page.get_data(as_text=True)


def test_red_flag_confirmation_shows_emergency_advice_before_any_worker_runs(client, csrf_token):
    response = client.post("/ask", data=form(csrf_token, question="Since this morning my groin is numb and I cannot pee."))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please get help now" in page and "emergency department" in page
    assert db.session.execute(select(Ticket.status)).scalar_one() == "new"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"question": ""}, "Type your question."),
        ({"question": "x" * 5001}, "Use between 10 and 5000 characters."),
        ({"question": "my back \x00\x07 hurts a lot"}, "characters we cannot read"),
        ({"email": "ann@"}, "Enter a valid email address"),
        ({"name": "Ann\r\nBcc: victim@example.com"}, "Use a single line for your name."),
        ({"consent": None}, "Please tick the box"),
    ],
)
def test_invalid_input_rerenders_the_form_with_the_error_and_the_typed_text(client, csrf_token, overrides, message):
    response = client.post("/ask", data=form(csrf_token, **overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert "Ann Patient" in page or "name" in overrides  # typed text kept
    assert counts() == NOTHING


def test_filled_honeypot_looks_like_success_to_the_bot_but_stores_nothing(client, csrf_token):
    response = client.post("/ask", data=form(csrf_token, website="http://spam.example.com"))
    assert response.status_code == 303
    assert client.get(response.headers["Location"]).status_code == 200
    assert counts() == NOTHING


def test_missing_csrf_token_is_refused_and_nothing_written(client):
    response = client.post("/ask", data=form(None))
    assert response.status_code == 400
    assert counts() == NOTHING


def test_unknown_reference_confirmation_is_404(client):
    assert client.get("/ask/thanks/Q-0000-0000").status_code == 404
