"""Queues at scale: counts that stop at a cap ("1,000+"), and pages walked by cursor.

The cap and the page size are lowered here, so a few dozen tickets behave as a million would.
"""
from __future__ import annotations

import base64
import html as html_lib
import json
import re

import pytest

from service.desk import paging, queues
from tests.desk.factories import ago, make_ticket

REF = re.compile(r'href="/desk/tickets/(Q-\d{4}-\d{4})"')


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(queues, "PAGE_SIZE", 7)
    monkeypatch.setattr(queues, "COUNT_CAP", 20)


@pytest.fixture
def team(make_staff):
    return {
        "a": make_staff("a@clinic.test", name="Dr A", role="surgeon", specialties=("spine",)),
        "b": make_staff("b@clinic.test", name="Dr B", role="surgeon", specialties=("brain",)),
        "coord": make_staff("coord@clinic.test", name="Cora", role="coordinator", specialties=()),
    }


def refs(page_html: str) -> list[str]:
    return REF.findall(page_html)


def link(page_html: str, rel: str) -> str | None:
    match = re.search(rf'<a rel="{rel}" href="([^"]+)"', page_html)
    return html_lib.unescape(match.group(1)) if match else None


def walk(client, url: str, rel: str = "next", during=None) -> list[list[str]]:
    """Every page from `url` on, following one link direction; `during(n)` runs after page n."""
    pages, seen_urls = [], set()
    while url is not None:
        assert url not in seen_urls, "the pager went round in a circle"
        seen_urls.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(refs(response.text))
        if during:
            during(len(pages))
        url = link(response.text, rel)
    return pages


def cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).rstrip(b"=").decode()


def test_the_all_tab_says_1000_plus_only_above_the_cap(client, sign_in, team, small_pages):
    for n in range(20):
        make_ticket(status="closed", created_at=ago(days=n + 1))
    sign_in("coord@clinic.test")
    page = client.get("/desk/?queue=all").text
    assert '<span class="count" data-queue="all">20</span>' in page and "20 questions." in page
    make_ticket(status="closed", created_at=ago(days=30))
    page = client.get("/desk/?queue=all").text
    assert '<span class="count" data-queue="all">20+</span>' in page and "20+ questions." in page
    # Open work stays exact next to it.
    assert '<span class="count" data-queue="open">0</span>' in page


def test_walking_the_history_by_cursor_shows_every_ticket_once_newest_first(client, sign_in, team, small_pages):
    made = [make_ticket(status="closed", created_at=ago(hours=n + 1)) for n in range(60)]
    newest_first = [t.reference for t in made]  # made[0] is the newest
    sign_in("coord@clinic.test")
    arrivals = []

    def a_patient_writes_in(n):
        if n == 3:  # mid-walk: a new question lands on top of page 1
            arrivals.append(make_ticket(status="closed").reference)

    pages = walk(client, "/desk/?queue=all", during=a_patient_writes_in)
    seen = [ref for page in pages for ref in page]
    assert seen == newest_first, "each ticket exactly once, in order, the new one not shifting any"
    assert all(len(page) == 7 for page in pages[:-1]) and len(pages) == 9
    assert arrivals[0] not in seen

    # And back again by the Newer links, from the last page: the same pages in reverse.
    last_page = client.get("/desk/?queue=all&after=" + cursor([made[-8].created_at.isoformat(), made[-8].id]))
    assert refs(last_page.text) == newest_first[-7:]
    back = walk(client, link(last_page.text, "prev"), rel="prev")
    assert [ref for page in reversed(back) for ref in page] == [arrivals[0], *newest_first[:-7]]


def test_open_work_pages_keep_urgent_first_then_the_longest_wait(client, sign_in, team, small_pages):
    urgent = [make_ticket(urgent=True, created_at=ago(hours=100 - n)) for n in range(5)]
    routine = [make_ticket(created_at=ago(hours=90 - n)) for n in range(20)]
    make_ticket(status="answered", created_at=ago(hours=200))
    sign_in("coord@clinic.test")
    # 25 open tickets, a cap of 20: numbered pages stop, cursors go on.
    pages = walk(client, "/desk/?queue=open")
    assert [ref for page in pages for ref in page] == [t.reference for t in urgent + routine]


def test_a_surgeons_cursor_pages_hold_only_their_own_tickets(client, sign_in, team, small_pages):
    theirs = [make_ticket(assignee=team["a"], status="answered", created_at=ago(hours=2 * n + 1)) for n in range(25)]
    others = [make_ticket(assignee=team["b"], status="answered", created_at=ago(hours=2 * n + 2)) for n in range(25)]
    sign_in("a@clinic.test")
    pages = walk(client, "/desk/?queue=all")
    assert [ref for page in pages for ref in page] == [t.reference for t in theirs]
    # A cursor made from someone else's ticket still only moves within Dr A's own list.
    forged = cursor([others[10].created_at.isoformat(), others[10].id])
    page = refs(client.get(f"/desk/?queue=all&after={forged}").text)
    assert page and set(page) <= {t.reference for t in theirs}
    assert page == [t.reference for t in theirs if t.created_at < others[10].created_at][:7]


@pytest.mark.parametrize("after", [
    "not-a-cursor", "%00", "x" * 5000, cursor(["yesterday", 5]), cursor(["2025-01-01T00:00:00", 2**70]),
    cursor(["2025-01-01T00:00:00+02:00", 5]), cursor([True, "2025-01-01T00:00:00", 5]), cursor([None, None]),
    cursor({"a": 1}), base64.urlsafe_b64encode(b"[1e999, 1]").decode(), base64.urlsafe_b64encode(b"\xff\xfe").decode(),
])
def test_a_tampered_cursor_shows_the_first_page(client, sign_in, team, small_pages, after):
    made = [make_ticket(status="closed", created_at=ago(hours=n + 1)) for n in range(10)]
    sign_in("coord@clinic.test")
    response = client.get(f"/desk/?queue=all&after={after}")
    assert response.status_code == 200
    assert refs(response.text) == [t.reference for t in made[:7]]
    assert client.get(f"/desk/?queue=all&before={after}").status_code == 200


def test_page_numbers_stop_where_counting_stops(client, sign_in, team, small_pages):
    for n in range(30):
        make_ticket(status="closed", created_at=ago(hours=n + 1))
    sign_in("coord@clinic.test")
    assert paging.page_count(30, 7, 20) is None
    page2 = client.get("/desk/?queue=all&page=2")
    assert page2.status_code == 200 and "Page 2" in page2.text and len(refs(page2.text)) == 7
    deep = client.get("/desk/?queue=all&page=4000")
    assert deep.status_code == 400 and "numbered up to 2" in deep.text
    for raw in ("abc", "-1", "0", "1e9", "99999999999999999999"):
        assert client.get(f"/desk/?queue=all&page={raw}").status_code == 200, raw
