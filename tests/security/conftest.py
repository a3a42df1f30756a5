"""Fixtures for the web security tests: demo content and signed-in staff."""
from __future__ import annotations

import pytest

from service.extensions import db


@pytest.fixture
def demo(app):
    from service.content.importer import DEMO_CONTENT_PATH, import_content_file

    report = import_content_file(DEMO_CONTENT_PATH)
    db.session.commit()
    return report
