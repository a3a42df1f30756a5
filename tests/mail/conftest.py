"""Fixtures for inbound mail: a private Dovecot server per session, a fresh account per test."""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.conftest import require_service
from tests.fixtures.smtp import smtp_server  # noqa: F401
from tests.tickets.conftest import app_config  # noqa: F401  (in-memory broker)
from tests.mail.imap_server import DovecotServer, ImapAccount


def _dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (path for path in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.path.exists(path)), None
    )


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    binary = _dovecot_binary()
    if binary is None:
        require_service("Dovecot", "install dovecot-imapd (apt-get install -y dovecot-imapd)")
    server = DovecotServer(binary)
    try:
        server.start()
    except RuntimeError as exc:
        server.stop()
        require_service("Dovecot", str(exc))
    yield server
    server.stop()


@pytest.fixture
def imap_account(dovecot: DovecotServer) -> ImapAccount:
    return dovecot.add_account()
