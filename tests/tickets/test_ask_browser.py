"""A patient asks through the real /ask page in Chromium and sees their reference."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def db_backend() -> str:
    return "sqlite"


def test_patient_submits_the_ask_form_and_sees_the_reference(live_url, phone_page):
    page = phone_page
    page.goto(f"{live_url}/ask")
    page.fill("#name", "Ann Patient")
    page.fill("#email", "ann@example.test")
    page.select_option("#topic", "spine")
    page.fill("#question", "My lower back hurts and the pain goes down my leg. What can I do?")
    page.check("#consent")
    page.click("button[type=submit]:has-text('Send my question')")
    page.wait_for_url(re.compile(r"/ask/thanks/Q-[0-9A-Z]{4}-[0-9A-Z]{4}$"))
    reference = page.url.rsplit("/", 1)[1]
    assert page.locator("[data-reference]").inner_text() == reference


def test_a_mistake_keeps_what_the_patient_typed(live_url, phone_page):
    page = phone_page
    page.goto(f"{live_url}/ask")
    page.fill("#name", "Ann Patient")
    page.fill("#email", "not-an-email")
    page.fill("#question", "My lower back hurts and the pain goes down my leg.")
    page.check("#consent")
    page.click("button[type=submit]:has-text('Send my question')")
    assert "Enter a valid email address" in page.content()
    assert page.input_value("#question") == "My lower back hurts and the pain goes down my leg."
