"""Migrations on SQLite and PostgreSQL: up, down, up again; data survives; models match the schema.

Each test gets a database of its own (a fresh SQLite file, or a new PostgreSQL database like
tests/conftest.py's postgres_url), because it drives the schema itself.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text

from service import create_app
from service.extensions import db
from tests.conftest import POSTGRES_ADMIN_URL, base_config, port_open, require_service

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    if not port_open(POSTGRES_ADMIN_URL, 5432):
        require_service("PostgreSQL", POSTGRES_ADMIN_URL)
    name = f"neurodesk_migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(urlsplit(POSTGRES_ADMIN_URL)._replace(path=f"/{name}").geturl())
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def bare_app(empty_url: str) -> Iterator[Flask]:
    app = create_app(base_config(empty_url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def revisions() -> list[str]:
    """Every revision id, base first."""
    script = ScriptDirectory(str(MIGRATIONS))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def tables() -> set[str]:
    db.session.remove()
    db.engine.dispose()  # a fresh connection sees DDL another connection just ran
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def current_revision() -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_revisions_form_one_line_to_head():
    ids = revisions()
    assert ids[0] == "0001" and len(ids) == len(set(ids))
    assert len(ScriptDirectory(str(MIGRATIONS)).get_heads()) == 1


def test_upgrade_downgrade_to_base_and_upgrade_again(bare_app):
    upgrade()
    head_tables = tables()
    assert {"ticket", "article", "staff", "audit_event", "privacy_erasure"} <= head_tables
    assert current_revision() == revisions()[-1]
    downgrade(revision="base")
    assert current_revision() is None
    assert tables() == set(), "downgrade to base left tables behind"
    upgrade()
    assert tables() == head_tables


def insert_representative_rows() -> dict[str, object]:
    """A staff member, a section, a published article and an assigned ticket, as of revision 0004."""
    now = datetime(2025, 1, 2, 3, 4, 5)
    rows = {"now": now}
    statements = [
        ("INSERT INTO staff (id, email, name, role, password_hash, active, created_at) "
         "VALUES (1, 'dr.old@clinic.test', 'Dr Old', 'surgeon', NULL, :yes, :now)"),
        "INSERT INTO staff_specialty (staff_id, topic) VALUES (1, 'spine')",
        ("INSERT INTO section (id, slug, title, topic, description, position, created_at, updated_at) "
         "VALUES (1, 'spine-care', 'Spine care', 'spine', 'About the spine', 1, :now, :now)"),
        ("INSERT INTO article (id, slug, title, summary, body_md, body_html, seo_description, section_id, status, "
         "published_at, created_at, updated_at, version) VALUES (1, 'old-article', 'An old article', "
         "'Kept across migrations', 'Body text', '<p>Body text survives</p>', 'SEO', 1, 'published', :now, "
         ":now, :now, 1)"),
        ("INSERT INTO ticket (id, reference, patient_name, patient_email, requested_topic, tag, confidence, urgent, "
         "reasons, needs_review, status, assignee_id, created_at, triaged_at, assigned_at, updated_at) VALUES "
         "(1, 'Q-OLD1-0001', 'Old Patient', 'old@example.test', NULL, 'spine', 0.9, :no, '[]', :no, 'assigned', 1, "
         ":now, :now, :now, :now)"),
        ("INSERT INTO ticket_message (id, ticket_id, kind, author_id, body, message_id, created_at) "
         "VALUES (1, 1, 'patient', NULL, 'My old question about my back', NULL, :now)"),
    ]
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), {"now": now, "yes": True, "no": False})
        if conn.dialect.name == "postgresql":
            # Explicit ids bypass the sequences: move them past, as a real data load would.
            for table in ("staff", "section", "article", "ticket", "ticket_message"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1)"))
    return rows


def test_data_written_at_0004_survives_to_head_and_the_app_reads_it(bare_app):
    from service.content.models import Article
    from service.staff.models import Staff
    from service.tickets.models import Ticket

    upgrade(revision="0004")
    insert_representative_rows()
    upgrade()

    db.session.remove()
    db.engine.dispose()
    staff = db.session.execute(select(Staff).where(Staff.email == "dr.old@clinic.test")).scalar_one()
    assert staff.role == "surgeon" and staff.active
    article = db.session.execute(select(Article).where(Article.slug == "old-article")).scalar_one()
    assert article.section.slug == "spine-care" and article.status == "published"
    ticket = db.session.execute(select(Ticket).where(Ticket.reference == "Q-OLD1-0001")).scalar_one()
    assert ticket.assignee_id == staff.id and ticket.question == "My old question about my back"
    db.session.remove()

    client = bare_app.test_client()
    page = client.get("/articles/old-article")
    assert page.status_code == 200 and "Body text survives" in page.text
    assert client.get("/api/v1/articles/old-article").get_json()["title"] == "An old article"

    # New rows still get ids after the explicitly numbered ones (sequences are right).
    from service.tickets import services

    submission = services.submit_question(name="New", email="new@example.test",
                                          question="A new question after the upgrade.", topic=None)
    db.session.commit()
    assert submission.ticket_id != 1

    # Downgrade one step at a time, all the way, with the data in place.
    db.session.remove()
    for expected in reversed([None, *revisions()[:-1]]):
        downgrade(revision="-1")
        assert current_revision() == expected
    assert tables() == set()


def test_models_and_migrations_agree(bare_app):
    """What `flask db migrate` would generate from head is empty: nobody changed a model
    without a migration. Run through migrations/env.py, so its filter for the hand-made
    full-text search objects (FTS5 tables, tsvector columns, GIN indexes) is what is tested."""
    upgrade()
    config = bare_app.extensions["migrate"].migrate.get_config()
    command.check(config)  # raises AutogenerateDiffsDetected, listing the differences


def search_schema() -> tuple[set[str], set[str]]:
    """The full-text search objects on article and faq: index names, and tables with a stored vector."""
    db.session.remove()
    db.engine.dispose()
    inspector = inspect(db.engine)
    indexes = {index["name"] for table in ("article", "faq") for index in inspector.get_indexes(table)
               if "search" in index["name"]}
    stored = {table for table in ("article", "faq")
              if "search_vector" in {column["name"] for column in inspector.get_columns(table)}}
    return indexes, stored


def test_0010_stores_search_vectors_on_postgresql_and_sqlite_keeps_fts5(bare_app):
    from service.content import services

    upgrade(revision="0009")
    insert_representative_rows()  # an article written before the vectors were stored
    at_0009 = search_schema()
    upgrade(revision="0010")
    at_0010 = search_schema()
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        assert at_0009 == ({"ix_article_search", "ix_faq_search"}, set())
        assert at_0010 == ({"ix_article_search_vector", "ix_faq_search_vector"}, {"article", "faq"})
        # The existing row got exactly the vector 0003's index was built over.
        same = db.session.execute(text(
            "SELECT search_vector = (setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || "
            "setweight(to_tsvector('english', coalesce(body_md, '')), 'C')) FROM article WHERE id = 1")).scalar_one()
        assert same is True
    else:
        assert at_0010 == at_0009 and "content_search" in tables()
    assert [hit.slug for hit in services.search("kept across migrations")] == ["old-article"]
    db.session.remove()

    downgrade(revision="0009")
    assert search_schema() == at_0009
    upgrade(revision="0010")
    assert search_schema() == at_0010
