"""In Debian chromium: log out in one browser, and another browser holding a copy of its cookie is refused."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def db_backend() -> str:
    return "sqlite"


def test_logging_out_refuses_the_other_browsers_copy_of_the_cookie(chromium, live_url, make_staff):
    make_staff("coord@clinic.test", name="Cora Coordinator", role="coordinator", specialties=())
    mine, thief = chromium.new_context(), chromium.new_context()
    try:
        page = mine.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_url}/desk/login")
        page.fill("#email", "coord@clinic.test")
        page.fill("#password", "correct horse")
        page.click("button:has-text('Log in')")
        page.wait_for_url(f"{live_url}/desk/")

        thief.add_cookies(mine.cookies())
        stolen = thief.new_page()
        stolen.set_default_timeout(10_000)
        stolen.goto(f"{live_url}/desk/")
        assert stolen.url == f"{live_url}/desk/"  # the copy works while the session lives

        page.click("button:has-text('Log out')")
        page.wait_for_url(f"{live_url}/desk/login")
        assert "You are logged out." in page.content()

        stolen.goto(f"{live_url}/desk/")
        assert stolen.url.startswith(f"{live_url}/desk/login")
        assert "Please log in to continue." in stolen.content()
    finally:
        thief.close()
        mine.close()
