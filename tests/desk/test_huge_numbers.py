"""Numbers no id or page could be: a clear 404 (or page 1), never a 500.

Werkzeug turns `<int:...>` into a Python int of any size; SQLite cannot bind one past 2**63 and
PostgreSQL's INTEGER ends at 2**31 - 1, so such a number must stop at the edge.
"""
from __future__ import annotations

import pytest

HUGE = "99999999999999999999"
JUST_PAST_INT4 = str(2**31)


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


@pytest.fixture
def admin(client, make_staff, sign_in):
    make_staff("admin@clinic.test", role="admin", specialties=())
    sign_in("admin@clinic.test")
    return client


@pytest.mark.parametrize("number", [HUGE, JUST_PAST_INT4])
@pytest.mark.parametrize("url", [
    "/desk/mail/{n}", "/desk/mail/{n}/html", "/desk/content/articles/{n}", "/desk/content/articles/{n}/revisions",
    "/desk/content/faqs/{n}", "/desk/content/sections/{n}", "/api/v1/faqs/{n}", "/sitemap-{n}.xml",
])
def test_an_id_past_any_column_is_not_found(admin, url, number):
    assert admin.get(url.format(n=number)).status_code == 404


@pytest.mark.parametrize("url", [
    "/desk/staff/{n}", "/desk/quarantine/{n}/release", "/desk/account/tokens/{n}/revoke",
    "/desk/content/articles/{n}/revisions/{n}/rollback",
])
def test_posting_to_an_id_past_any_column_is_not_found(admin, url):
    assert admin.post(url.format(n=HUGE)).status_code == 404


@pytest.mark.parametrize("url", [
    "/desk/?page={n}", "/desk/?queue=all&page={n}", "/desk/mail?page={n}", "/desk/audit?page={n}",
    "/desk/quarantine?page={n}", "/sections/back-and-leg-pain?page={n}",
])
def test_a_page_number_past_anything_is_the_first_page(admin, url):
    assert admin.get(url.format(n=HUGE)).status_code in (200, 404)
    assert admin.get(url.format(n="-" + HUGE)).status_code in (200, 404)
