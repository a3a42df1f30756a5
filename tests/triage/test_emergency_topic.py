"""An emergency never lands in the admin queue: it goes to the topic its red flag belongs to."""

from service.triage.engine import TriageEngine


def test_an_emergency_is_never_general(engine: TriageEngine) -> None:
    result = engine.classify("Can this wait till Monday? He wet himself twice today and his back is bad.")
    assert result.urgent
    assert result.tag == "spine"


def test_a_post_operative_emergency_goes_to_a_surgeon(engine: TriageEngine) -> None:
    result = engine.classify("Is the ward open at night? Two days after my operation I'm struggling to breathe.")
    assert result.urgent
    assert result.tag != "general"
