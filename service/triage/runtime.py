"""Which trained engine the running service uses: the one seam between the triage core and the app.

Until the app has content, `current_engine()` is the base-corpus `default_engine()`. The app
installs its own provider at start-up, e.g. one that loads the engine trained on database content
(articles, FAQs and coordinator corrections) and stored with `TriageEngine.dumps`:

    from service.triage.runtime import set_engine_provider
    set_engine_provider(lambda: load_engine_from_db())

The CLI and anything else that classifies should call `current_engine()`, never train their own.
"""

from __future__ import annotations

from collections.abc import Callable

from service.triage.engine import TriageEngine, default_engine

_provider: Callable[[], TriageEngine] = default_engine


def set_engine_provider(provider: Callable[[], TriageEngine] | None) -> None:
    """Make `current_engine()` call `provider`; None restores the base-corpus default."""
    global _provider
    _provider = provider or default_engine


def current_engine() -> TriageEngine:
    return _provider()
