"""A patient asks through the real /ask page in Chromium and sees their reference."""
from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def db_backend() -> str:
    return "sqlite"


@pytest.fixture
def live_url(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("chromium is required under CI=true")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_patient_submits_the_ask_form_and_sees_the_reference(live_url, page):
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


def test_a_mistake_keeps_what_the_patient_typed(live_url, page):
    page.goto(f"{live_url}/ask")
    page.fill("#name", "Ann Patient")
    page.fill("#email", "not-an-email")
    page.fill("#question", "My lower back hurts and the pain goes down my leg.")
    page.check("#consent")
    page.click("button[type=submit]:has-text('Send my question')")
    assert "Enter a valid email address" in page.content()
    assert page.input_value("#question") == "My lower back hurts and the pain goes down my leg."
