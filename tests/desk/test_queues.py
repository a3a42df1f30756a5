"""The queues on /desk/: what each holds, counts at a glance, filters, search, pages."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from service.desk import queues
from service.extensions import db
from service.staff.models import utcnow
from tests.desk.factories import ago, make_ticket


@pytest.fixture
def team(make_staff):
    return {
        "a": make_staff("a@clinic.test", name="Dr A", role="surgeon", specialties=("spine",)),
        "b": make_staff("b@clinic.test", name="Dr B", role="surgeon", specialties=("brain",)),
        "coord": make_staff("coord@clinic.test", name="Cora", role="coordinator", specialties=()),
    }


@pytest.fixture
def tickets(team):
    return {
        "urgent": make_ticket(assignee=team["a"], urgent=True, created_at=ago(hours=1)),
        "review": make_ticket(needs_review=True, confidence=0.3, tag="general", created_at=ago(hours=2)),
        "overdue": make_ticket(assignee=team["b"], tag="brain", created_at=ago(days=6),
                               question="Blurred vision and headache"),
        "answered": make_ticket(assignee=team["a"], status="answered", created_at=ago(days=9),
                                first_response_at=ago(days=8)),
        "closed": make_ticket(assignee=team["b"], status="closed", email="zed@example.test"),
    }


def in_page(html: str) -> set[str]:
    return set(re.findall(r"Q-\d{4}-\d{4}", html))


def test_counts_come_from_one_query(app, team, tickets):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = queues.counts(team["coord"], utcnow())
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    ticket_queries = [s for s in statements if "FROM ticket" in s]
    assert len(ticket_queries) == 1
    assert {k: result[k] for k in ("urgent", "review", "unassigned", "overdue", "mine", "open", "all")} == {
        "urgent": 1, "review": 1, "unassigned": 1, "overdue": 1, "mine": 0, "open": 3, "all": 5}
    assert result["quarantined"] == 0


@pytest.mark.parametrize("queue, expected", [
    ("urgent", {"urgent"}), ("review", {"review"}), ("unassigned", {"review"}), ("overdue", {"overdue"}),
    ("open", {"urgent", "review", "overdue"}), ("all", {"urgent", "review", "overdue", "answered", "closed"}),
])
def test_each_queue_lists_its_tickets(client, sign_in, tickets, queue, expected):
    sign_in("coord@clinic.test")
    html = client.get(f"/desk/?queue={queue}").text
    assert in_page(html) == {tickets[name].reference for name in expected}


def test_overdue_rows_stand_out(client, sign_in, tickets):
    sign_in("coord@clinic.test")
    html = client.get("/desk/?queue=open").text
    row = re.search(rf'<tr class="[^"]*overdue[^"]*">\s*<td><a href="/desk/tickets/{tickets["overdue"].reference}', html)
    assert row and "overdue by" in html


def test_filters_and_search(client, sign_in, team, tickets):
    sign_in("coord@clinic.test")
    get = lambda q: in_page(client.get(f"/desk/?{q}").text)  # noqa: E731
    assert get("queue=all&topic=brain") == {tickets["overdue"].reference}
    assert get("queue=all&status=closed") == {tickets["closed"].reference}
    assert get(f"queue=all&surgeon={team['b'].id}") == {tickets["overdue"].reference, tickets["closed"].reference}
    assert get(f"queue=all&q={tickets['answered'].reference.lower()}") == {tickets["answered"].reference}
    assert get("queue=all&q=ZED@example") == {tickets["closed"].reference}
    assert get("queue=all&q=blurred+VISION") == {tickets["overdue"].reference}
    assert get("queue=all&q=%25") == set()  # LIKE wildcards are literal
    # Nonsense filters are ignored, never an error.
    assert client.get("/desk/?queue=nope&topic=x&status=y&surgeon=z&q=" + "a" * 5000).status_code == 200


def test_pages_never_fail(client, sign_in, team, monkeypatch):
    monkeypatch.setattr(queues, "PAGE_SIZE", 2)
    made = [make_ticket(created_at=ago(hours=n)) for n in range(5)]
    sign_in("coord@clinic.test")
    assert "Page 1 of 3" in client.get("/desk/?queue=open").text
    assert "Page 2 of 3" in client.get("/desk/?queue=open&page=2").text
    last = client.get("/desk/?queue=open&page=99")
    assert last.status_code == 200 and "Page 3 of 3" in last.text and len(in_page(last.text)) == 1
    for raw in ("abc", "-1", "0", "1e9", "99999999999999999999"):
        response = client.get(f"/desk/?queue=open&page={raw}")
        assert response.status_code == 200, raw
    assert in_page(client.get("/desk/?queue=open&page=abc").text) == {made[4].reference, made[3].reference}


def test_a_surgeon_sees_mine_and_no_overview(client, sign_in, team, tickets):
    sign_in("a@clinic.test")
    html = client.get("/desk/").text
    assert in_page(html) == {tickets["urgent"].reference}
    assert 'data-queue="urgent"' not in html and "Questions per topic" not in html
    assert in_page(client.get("/desk/?queue=all").text) == {tickets["urgent"].reference, tickets["answered"].reference}
    assert in_page(client.get("/desk/?queue=mine&status=answered").text) == {tickets["answered"].reference}
