"""The seam through which the app swaps in an engine trained on its own content."""

from service.triage import runtime
from service.triage.engine import TriageEngine, default_engine


def test_current_engine_is_the_default_until_the_app_provides_one() -> None:
    assert runtime.current_engine() is default_engine()


def test_an_installed_provider_is_used_and_can_be_removed(engine: TriageEngine) -> None:
    custom = TriageEngine(engine.model, review_threshold=0.99)
    runtime.set_engine_provider(lambda: custom)
    try:
        assert runtime.current_engine() is custom
    finally:
        runtime.set_engine_provider(None)
    assert runtime.current_engine() is default_engine()
