"""Who gets a ticket: routing rules, tested without HTTP."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from service.extensions import db
from service.tickets.models import Ticket
from service.tickets.routing import choose_surgeon, decide
from service.tickets.triage_port import Classification


def open_ticket(assignee, status="assigned", n=[0]):
    n[0] += 1
    db.session.add(Ticket(reference=f"Q-TEST-{n[0]:04d}", patient_name="P", patient_email="p@example.test",
                          status=status, assignee=assignee))
    db.session.commit()


def test_least_busy_surgeon_with_the_topic_gets_it_ties_by_id(make_staff):
    first = make_staff("a@clinic.test", name="A")
    second = make_staff("b@clinic.test", name="B")
    make_staff("brain@clinic.test", name="Brain", specialties=("brain",))
    assert choose_surgeon("spine").id == first.id  # tie: lowest id
    open_ticket(first)
    assert choose_surgeon("spine").id == second.id
    open_ticket(second, status="answered")  # answered tickets are not open work
    assert choose_surgeon("spine").id == second.id


def test_surgeons_on_leave_or_inactive_are_skipped(make_staff):
    away = make_staff("away@clinic.test", name="Away")
    away.on_leave_until = date.today() + timedelta(days=3)
    gone = make_staff("gone@clinic.test", name="Gone")
    gone.active = False
    back = make_staff("back@clinic.test", name="Back")
    back.on_leave_until = date.today() - timedelta(days=1)
    db.session.commit()
    assert choose_surgeon("spine").id == back.id


def test_coordinators_are_never_routed_a_topic(make_staff):
    make_staff("coord@clinic.test", role="coordinator", specialties=("spine",))
    assert choose_surgeon("spine") is None


@pytest.mark.parametrize(
    ("result", "why"),
    [
        (Classification("general", 0.9, False), "needs a coordinator"),
        (Classification("spine", 0.4, False), "below"),
        (Classification("spine", 0.9, False, needs_review=True), "review"),
        (Classification("tos", 0.9, False), "no tos surgeon"),
    ],
)
def test_uncertain_general_or_unstaffed_questions_go_to_review(make_staff, result, why):
    make_staff()
    decision = decide(result)
    assert decision.surgeon is None and decision.needs_review and why in decision.why


def test_confident_topic_with_a_surgeon_is_assigned(make_staff):
    surgeon = make_staff()
    decision = decide(Classification("spine", 0.9, False))
    assert decision.surgeon.id == surgeon.id and not decision.needs_review
