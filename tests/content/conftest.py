"""Fixtures for content tests: demo content loaded through the real importer."""
from __future__ import annotations

import pytest

from service.extensions import db


@pytest.fixture
def demo(app):
    from service.content.importer import DEMO_CONTENT_PATH, import_content_file

    report = import_content_file(DEMO_CONTENT_PATH)
    db.session.commit()
    return report


@pytest.fixture
def section(app):
    from service.content import services

    made = services.create_section({"slug": "back-and-leg-pain", "title": "Back and Leg Pain", "topic": "spine"})
    db.session.commit()
    return made
