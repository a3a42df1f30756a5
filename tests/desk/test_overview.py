"""The coordinators' overview under the queues: per-topic weeks, response times, overdue."""
from __future__ import annotations

from datetime import timedelta

from service.desk import overview
from service.staff.models import utcnow
from tests.desk.factories import ago, make_ticket


def test_overview_renders_with_data(client, sign_in, make_staff):
    make_staff("coord@clinic.test", name="Cora", role="coordinator", specialties=())
    for days, tag in ((1, "spine"), (2, "spine"), (9, "brain"), (20, "tos"), (80, "spine")):
        created = ago(days=days)
        make_ticket(tag=tag, created_at=created, status="answered", first_response_at=created + timedelta(hours=10))
    make_ticket(tag="general", created_at=ago(days=5))  # overdue, unanswered
    sign_in("coord@clinic.test")
    html = client.get("/desk/").text
    assert "Questions per topic" in html and "Median hours to first answer" in html
    assert 'class="chart-target"' in html and "No data yet" not in html
    assert 'data-overdue="1"' in html
    data = overview.build(utcnow())
    assert len(data.weeks) == 8 and data.overdue == 1
    assert "Spine" in data.per_topic_chart and "Thoracic outlet" in data.per_topic_chart
    assert 'data-value="10"' in data.response_chart  # the median of 10-hour answers


def test_overview_with_no_tickets_says_so(client, sign_in, make_staff):
    make_staff("coord@clinic.test", name="Cora", role="coordinator", specialties=())
    sign_in("coord@clinic.test")
    html = client.get("/desk/").text
    assert "No data yet" in html and 'data-overdue="0"' in html
