"""Fixtures for API tests: demo content and staff bearer tokens."""
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
def token_for(make_staff):
    from service.staff.services import issue_api_token

    def make(role: str = "coordinator") -> dict[str, str]:
        staff = make_staff(f"{role}@clinic.test", name=role.title(), role=role,
                           specialties=("spine",) if role == "surgeon" else ())
        token = issue_api_token(staff)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def editor(token_for) -> dict[str, str]:
    """Authorization header of a coordinator (may edit content)."""
    return token_for("coordinator")
