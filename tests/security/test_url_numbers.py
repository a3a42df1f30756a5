"""Integers in URLs are bounded: a number no row can have answers 404 or 400, never 500.

Regression for issue 17 V4: as a coordinator, /desk/mail?page=99999999999999999999,
/desk/mail/99999999999999999999 and /desk/content/articles/99999999999999999999 answered 500.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from service.url_numbers import MAX_PATH_INT

HUGE = "99999999999999999999"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


@pytest.fixture
def coordinator(client, make_staff, sign_in):
    make_staff("coord@clinic.test", role="coordinator", specialties=())
    sign_in("coord@clinic.test")
    return client


@pytest.mark.parametrize("url", [
    f"/desk/mail/{HUGE}",
    f"/desk/content/articles/{HUGE}",
    f"/desk/content/articles/{MAX_PATH_INT + 1}",
    f"/desk/content/articles/{MAX_PATH_INT}",  # the largest id the route takes: simply not there
    f"/desk/mail/{MAX_PATH_INT}/html",
    f"/api/v1/faqs/{HUGE}",
])
def test_a_path_number_no_row_can_have_is_a_404(coordinator, url):
    assert coordinator.get(url).status_code == 404


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(number=st.integers(min_value=0, max_value=10**40),
       path=st.sampled_from(["/desk/mail/{}", "/desk/mail/{}/html", "/desk/content/articles/{}",
                             "/desk/content/faqs/{}", "/api/v1/faqs/{}"]))
def test_any_path_number_no_row_has_is_a_404(coordinator, number, path):
    assert coordinator.get(path.format(number)).status_code == 404


@pytest.mark.parametrize("url", [
    f"/desk/mail?page={HUGE}",
    f"/desk/?page={HUGE}",
    f"/sections/no-such-section?page={HUGE}",
])
def test_a_query_number_out_of_range_is_never_a_500(coordinator, url):
    assert coordinator.get(url).status_code in (200, 400, 404)


@pytest.mark.parametrize("query", [f"limit={HUGE}", f"offset={HUGE}", "offset=-1"])
def test_api_query_numbers_out_of_range_are_a_400(client, query):
    response = client.get(f"/api/v1/articles?{query}")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_query"


def test_every_route_with_a_path_integer_refuses_one_past_the_bound(app, coordinator):
    """Whatever blueprint adds an `<int:...>` route later gets the bound too."""
    rules = [rule for rule in app.url_map.iter_rules()
             if any(isinstance(c, IntegerConverter) for c in rule._converters.values())]
    assert len(rules) >= 10
    for rule in rules:
        url = re.sub(r"<int:[^>]+>", HUGE, rule.rule)
        url = re.sub(r"<[^>]+>", "x", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = coordinator.open(url, method=method)
            assert response.status_code == 404, f"{method} {url}: {response.status_code}"
