"""Property-based API fuzzing: schemathesis generates requests from /api/v1/openapi.json.

Every operation gets up to MAX_EXAMPLES generated cases, sent in-process through the WSGI app
(SQLite, demo content, a coordinator's bearer token so writes get past auth). Two checks:
never a 5xx, and every response matches the schema the document declares for its status.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from service.content.models import Article, Faq, Section
from service.extensions import db
from tests.tickets.conftest import celery_config

MAX_EXAMPLES = 30
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def db_backend() -> str:
    return "sqlite"  # the schema is the same on both; the API tests cover PostgreSQL


@pytest.fixture
def app_config() -> dict[str, object]:
    # Tasks go to an in-memory broker: intake's outbox dispatch must not need a server here.
    return {"CELERY": celery_config()}


@pytest.fixture
def demo(app):
    from service.content.importer import DEMO_CONTENT_PATH, import_content_file

    import_content_file(DEMO_CONTENT_PATH)
    db.session.commit()


@pytest.fixture
def bearer(make_staff) -> dict[str, str]:
    from service.staff.services import issue_api_token

    staff = make_staff("editor@clinic.test", name="Editor", role="coordinator", specialties=())
    token = issue_api_token(staff)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def existing_values() -> dict[str, list]:
    """Path parameters that name real rows: random slugs alone would only ever reach the 404 branch."""
    return {
        "slug": list(db.session.execute(select(Article.slug)).scalars())
        + list(db.session.execute(select(Section.slug)).scalars()),
        "faq_id": list(db.session.execute(select(Faq.id)).scalars()),
    }


def run_operations(app, headers: dict[str, str], *, methods: set[str] | None = None,
                   max_examples: int = MAX_EXAMPLES) -> tuple[int, list[str]]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    real = existing_values()
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if methods and operation.method.upper() not in methods:
            continue
        operations += 1

        @given(case=operation.as_strategy(), data=st.data())
        @settings(max_examples=max_examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def exercise(case, data) -> None:
            for name in list(case.path_parameters or {}):
                if real.get(name) and data.draw(st.booleans(), label=f"real {name}"):
                    case.path_parameters[name] = data.draw(st.sampled_from(real[name]), label=name)
            case.call_and_validate(headers=headers, checks=CHECKS)
            db.session.remove()  # the next case reads fresh state, not this request's identity map

        try:
            exercise()
        except Exception as exc:  # collect every operation's failure, not just the first
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:2000]}")
    return operations, failures


def test_every_operation_survives_generated_requests(app, demo, bearer):
    operations, failures = run_operations(app, bearer)
    assert operations >= 15
    assert not failures, "\n\n".join(failures)


def test_writes_without_a_token_answer_401_in_the_documented_shape(app, demo):
    operations, failures = run_operations(app, {}, methods={"POST", "PUT", "DELETE"}, max_examples=10)
    assert operations >= 8
    assert not failures, "\n\n".join(failures)


# Issue 17's attacks, on every operation they apply to: an integer path parameter far past any
# id (V4), a JSON body nested 5,000 deep (V3) and one past the size limit. Each must be a 4xx
# in the documented error shape.
HUGE = 10**20


def attack_cases(operation) -> list[tuple[str, object]]:
    from flask import current_app

    params = {p.name: p.definition["schema"].get("type") for p in operation.path_parameters}
    # A real row for each path parameter, so a body attack reaches the body, not a 404.
    column = {"sections": Section.slug, "articles": Article.slug, "faqs": Faq.id}.get(operation.path.split("/")[1])
    fixed = {name: db.session.execute(select(column).limit(1)).scalar_one() for name in params}
    cases = []
    if "integer" in params.values():
        huge = {name: HUGE if kind == "integer" else fixed[name] for name, kind in params.items()}
        cases.append(("huge path integer", operation.Case(path_parameters=huge)))
    if any(body.media_type == "application/json" for body in operation.body):
        deep = b"[" * 5000 + b"]" * 5000
        big = b'{"title": "' + b"x" * current_app.config["MAX_CONTENT_LENGTH"] + b'"}'
        for label, body in (("5,000 deep", deep), ("over the size limit", big)):
            cases.append((label, operation.Case(path_parameters=fixed, body=body, media_type="application/json")))
    return cases


def test_the_issue_17_attacks_answer_4xx_in_the_documented_shape_on_every_operation(app, demo, bearer):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    expected = {"huge path integer": {404}, "5,000 deep": {400}, "over the size limit": {413}}
    tried, failures = set(), []
    for result in schema.get_all_operations():
        operation = result.ok()
        for label, case in attack_cases(operation):
            tried.add(label)
            response = case.call_and_validate(headers=bearer, checks=CHECKS)
            db.session.remove()
            error = response.json().get("error", {})
            if response.status_code not in expected[label] or not error.get("code") or not error.get("message"):
                failures.append(f"{operation.method.upper()} {operation.path} ({label}): {response.status_code} "
                                f"{response.text[:200]}")
    assert tried == set(expected)
    assert not failures, "\n".join(failures)
