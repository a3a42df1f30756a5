"""Response-time targets: urgent round the clock, routine questions on working days only."""
from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, strategies as st

from service.desk.targets import add_working_time, due_at, human_duration, subtract_working_time

FRIDAY_3PM = datetime(2026, 11, 20, 15, 0)
H48 = timedelta(hours=48)


def test_routine_questions_skip_the_weekend(app):
    assert due_at(FRIDAY_3PM, urgent=False) == datetime(2026, 11, 24, 15, 0)  # Tuesday
    assert due_at(datetime(2026, 11, 21, 10, 0), urgent=False) == datetime(2026, 11, 25, 0, 0)  # Saturday -> Wed
    assert due_at(datetime(2026, 11, 23, 9, 0), urgent=False) == datetime(2026, 11, 25, 9, 0)  # Monday -> Wed


def test_urgent_questions_count_every_hour(app):
    assert due_at(FRIDAY_3PM, urgent=True) == FRIDAY_3PM + timedelta(hours=4)
    assert due_at(datetime(2026, 11, 21, 23, 0), urgent=True) == datetime(2026, 11, 22, 3, 0)


moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 1, 1))


@given(moments, moments)
def test_subtract_is_the_inverse_of_add(created, now):
    cutoff = subtract_working_time(now, H48)
    # Created at or before the cutoff <=> due at or before now.
    assert (created <= cutoff) == (add_working_time(created, H48) <= now)


def test_human_durations():
    assert [human_duration(timedelta(minutes=m)) for m in (5, 90, 60 * 50)] == ["5 min", "1 h", "2 d"]
