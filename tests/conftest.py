"""Fixtures that build real things: a migrated SQLite file and a PostgreSQL database per session.

Every test that takes `app` runs once on SQLite and once on PostgreSQL. Outside CI a missing
PostgreSQL or Redis skips those tests; under CI=true it fails them, so they can never
silently stop running.
"""
from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from service import create_app
from service.extensions import db

pytest_plugins = ["tests.fixtures.browser"]

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def require_service(name: str, reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{name} is required under CI=true: {reason}")
    pytest.skip(f"{name} not available: {reason}")


def port_open(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


def base_config(database_url: str, **overrides: object) -> dict[str, object]:
    config: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "MAIL_SUPPRESS_SEND": True,
        "MAIL_SERVER": None,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


def migrate(database_url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(base_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the local server for this session, migrated, dropped at the end."""
    if not port_open(POSTGRES_ADMIN_URL, 5432):
        require_service("PostgreSQL", POSTGRES_ADMIN_URL)
    name = f"neurodesk_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = str(urlsplit(POSTGRES_ADMIN_URL)._replace(path=f"/{name}").geturl())
    try:
        migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def truncate_all(app: Flask) -> None:
    with app.app_context():
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()


@pytest.fixture(params=["sqlite", "postgres"])
def db_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if db_backend == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def app_config() -> dict[str, object]:
    """Override in a module or test to change the app's configuration."""
    return {}


@pytest.fixture
def app(database_url: str, db_backend: str, app_config: dict[str, object]) -> Iterator[Flask]:
    app = create_app(base_config(database_url, **app_config))
    with app.app_context():
        yield app
        db.session.remove()
    if db_backend == "postgres":
        truncate_all(app)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database of its own for this test, emptied before and after."""
    import redis

    if not port_open(REDIS_TEST_URL, 6379):
        require_service("Redis", REDIS_TEST_URL)
    index = 1 + (os.getpid() % 15)
    url = f"{REDIS_TEST_URL.rstrip('/')}/{index}"
    conn = redis.Redis.from_url(url)
    conn.flushdb()
    yield url
    conn.flushdb()
    conn.close()


@pytest.fixture
def make_staff(app: Flask):
    from service.staff.services import save_staff

    def make(email: str = "surgeon@clinic.test", *, name: str = "Dr Test", role: str = "surgeon",
             specialties: tuple[str, ...] = ("spine",), password: str | None = "correct horse"):
        staff = save_staff(email=email, name=name, role=role, specialties=specialties, password=password)
        db.session.commit()
        return staff

    return make


@pytest.fixture
def sign_in(client):
    """Log a staff member in through the real /desk/login form (works with CSRF on or off).

    Returns the login response; `client` then carries the session like a browser would.
    """
    import re

    def do(email: str, password: str = "correct horse", *, on=None):
        browser = on or client
        page = browser.get("/desk/login")
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        data = {"email": email, "password": password}
        if match:
            data["csrf_token"] = match.group(1)
        response = browser.post("/desk/login", data=data)
        assert response.status_code == 302, f"login as {email} failed: {response.status_code}"
        return response

    return do
