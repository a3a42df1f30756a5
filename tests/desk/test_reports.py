"""/desk/reports and /desk/reports.csv: counts and first-answer times a coordinator can act on."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest

from tests.desk.factories import make_ticket

# A Monday, so the weeks of the report are easy to read; every ticket below is in March 2026.
MONDAY = datetime(2026, 3, 2, 9, 0)
RANGE = {"start": "2026-03-02", "end": "2026-03-15"}
PATIENT_TEXT = "My secret question about my spine"


@pytest.fixture
def clinic(make_staff):
    spine = make_staff("spine@clinic.test", name="Dr Sam Spine", specialties=("spine",))
    brain = make_staff("brain@clinic.test", name="Dr Bea Brain", specialties=("brain",))
    coordinator = make_staff("coord@clinic.test", name="Cora Ord", role="coordinator", specialties=())
    # Week 1: two spine questions answered in 2 h and 30 h, one brain question answered after 60 h
    # (two working days is 48 h: a breach). Week 2: one urgent spine answered in 6 h (target 4: a
    # breach) and one general question nobody answered yet (long overdue: a breach).
    make_ticket(assignee=spine, created_at=MONDAY, first_response_at=MONDAY + timedelta(hours=2), question=PATIENT_TEXT)
    make_ticket(assignee=spine, created_at=MONDAY + timedelta(hours=1), first_response_at=MONDAY + timedelta(hours=31))
    make_ticket(assignee=brain, tag="brain", created_at=MONDAY, first_response_at=MONDAY + timedelta(hours=60))
    make_ticket(assignee=spine, urgent=True, created_at=MONDAY + timedelta(days=7),
                first_response_at=MONDAY + timedelta(days=7, hours=6))
    make_ticket(tag="general", created_at=MONDAY + timedelta(days=8), status="triaged")
    make_ticket(tag="spine", created_at=MONDAY + timedelta(days=8), status="spam")  # never counted
    make_ticket(assignee=spine, created_at=MONDAY - timedelta(days=3))  # before the range
    return {"spine": spine, "brain": brain, "coordinator": coordinator}


def rows(client, table: str) -> list[list[str]]:
    response = client.get("/desk/reports.csv", query_string={**RANGE, "table": table})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_questions_per_topic_and_week_leave_out_spam_and_other_weeks(client, clinic, sign_in):
    sign_in("coord@clinic.test")
    assert rows(client, "weekly") == [
        ["week starting", "Spine", "Brain", "General", "total"],
        ["2 Mar", "2", "1", "0", "3"],
        ["9 Mar", "1", "0", "1", "2"],
    ]


def test_first_answer_times_and_breaches_per_topic_and_per_surgeon(client, clinic, sign_in):
    sign_in("coord@clinic.test")
    topics = {row[0]: row[1:] for row in rows(client, "topics")[1:]}
    # Spine: 2 h, 30 h and 6 h -> median 6.0; the urgent one missed its 4 h target.
    assert topics["Spine"] == ["3", "3", "6.0", topics["Spine"][3], "1"]
    assert float(topics["Spine"][3]) > 6.0
    assert topics["Brain"] == ["1", "1", "60.0", "60.0", "1"]
    assert topics["General"] == ["1", "0", "", "", "1"]  # unanswered and overdue
    assert topics["All topics"][:2] == ["5", "4"] and topics["All topics"][4] == "3"
    surgeons = {row[0]: row[1:] for row in rows(client, "surgeons")[1:]}
    assert surgeons == {"Dr Bea Brain": ["1", "1", "60.0", "60.0", "1"],
                        "Dr Sam Spine": ["3", "3", "6.0", topics["Spine"][3], "1"]}


def test_the_page_shows_the_tables_and_no_patient_text(client, clinic, sign_in):
    sign_in("coord@clinic.test")
    page = client.get("/desk/reports", query_string=RANGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Questions per topic and week" in html and "Dr Sam Spine" in html and "60.0" in html
    assert PATIENT_TEXT not in html and "ann@example.test" not in html and "Ann Patient" not in html
    for table in ("weekly", "topics", "surgeons"):
        assert PATIENT_TEXT not in "".join(",".join(r) for r in rows(client, table))


def test_surgeons_cannot_open_reports(client, clinic, sign_in):
    sign_in("spine@clinic.test")
    assert client.get("/desk/reports").status_code == 403
    assert client.get("/desk/reports.csv").status_code == 403


@pytest.mark.parametrize("args, message", [
    ({"start": "yesterday"}, "Dates must look like"),
    ({"start": "2026-03-10", "end": "2026-03-01"}, "start date is after"),
    ({"start": "2020-01-01", "end": "2026-03-01"}, "at most 366 days"),
    ({"start": "2026-03-01\x00", "end": "9999999999-01-01"}, "Dates must look like"),
])
def test_a_bad_range_is_explained_not_a_500(client, clinic, sign_in, args, message):
    sign_in("coord@clinic.test")
    page = client.get("/desk/reports", query_string=args)
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    csv_response = client.get("/desk/reports.csv", query_string=args)
    assert csv_response.status_code == 400 and message in csv_response.get_data(as_text=True)
    assert client.get("/desk/reports.csv", query_string={"table": "patients"}).status_code == 400


def test_a_staff_name_a_spreadsheet_would_run_is_quoted_in_the_csv(client, make_staff, sign_in):
    evil = make_staff("evil@clinic.test", name="=HYPERLINK(\"http://x.example\")", specialties=("spine",))
    make_staff("coord@clinic.test", name="Cora Ord", role="coordinator", specialties=())
    make_ticket(assignee=evil, created_at=MONDAY, first_response_at=MONDAY + timedelta(hours=1))
    sign_in("coord@clinic.test")
    assert rows(client, "surgeons")[1][0] == "'=HYPERLINK(\"http://x.example\")"


def test_the_default_range_is_the_last_twelve_weeks(client, make_staff, sign_in):
    make_staff("coord@clinic.test", name="Cora Ord", role="coordinator", specialties=())
    make_ticket(created_at=datetime.utcnow() - timedelta(days=2))
    make_ticket(created_at=datetime.utcnow() - timedelta(weeks=20))
    sign_in("coord@clinic.test")
    response = client.get("/desk/reports.csv", query_string={"table": "topics"})
    all_topics = [r for r in csv.reader(io.StringIO(response.get_data(as_text=True))) if r[0] == "All topics"]
    assert all_topics[0][1] == "1"
