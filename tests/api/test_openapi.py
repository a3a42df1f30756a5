"""The OpenAPI document is generated from the routes: valid, and missing nothing."""
from __future__ import annotations

import re

from openapi_spec_validator import validate


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)[len("/api/v1"):]


def test_document_is_valid_openapi_3(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_every_api_rule_and_method_is_documented(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = openapi_path(rule.rule)
        assert path in spec["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = spec["paths"][path].get(method.lower())
            assert operation, f"{method} {path}"
            assert "(undocumented)" not in operation["summary"], f"{method} {path} has no @document"


def test_contract_endpoints_are_present(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, method in [("/articles", "get"), ("/articles/{slug}", "get"), ("/sections", "get"), ("/tags", "get"),
                         ("/faqs", "get"), ("/search", "get"), ("/questions", "post"), ("/openapi.json", "get"),
                         ("/articles", "post"), ("/articles/{slug}", "put"), ("/articles/{slug}", "delete"),
                         ("/faqs", "post"), ("/faqs/{faq_id}", "put"), ("/faqs/{faq_id}", "delete")]:
        assert method in paths.get(path, {}), f"{method.upper()} {path}"
    assert paths["/articles"]["post"]["security"] == [{"bearerAuth": []}]
    assert "security" not in paths["/articles"]["get"]
