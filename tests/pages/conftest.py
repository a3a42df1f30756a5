"""Fixtures for the public pages and the editor: demo content through the real importer."""
from __future__ import annotations

import json
import re

import pytest

from service.extensions import db


@pytest.fixture
def demo(app):
    from service.content.importer import DEMO_CONTENT_PATH, import_content_file

    report = import_content_file(DEMO_CONTENT_PATH)
    db.session.commit()
    return report


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def jsonld_blocks(html: str) -> list[dict]:
    return [json.loads(block) for block in
            re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)]


def log_in(client, email: str, password: str = "correct horse") -> None:
    page = client.get("/desk/login")
    data = {"email": email, "password": password}
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    if token:
        data["csrf_token"] = token.group(1)
    response = client.post("/desk/login", data=data)
    assert response.status_code == 302, response.text[:500]
