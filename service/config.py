"""Configuration from the environment (CONTRACT.md section 2); nothing else reads os.environ."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """A random key per instance, kept so sessions survive a restart of `make run`."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


class Config:
    """Every setting the service understands, read once from the environment."""

    def __init__(self, instance_path: Path, environ: dict[str, str] | None = None) -> None:
        if environ is None:
            load_dotenv(override=False)
            environ = dict(os.environ)
        env = environ.get
        self.SECRET_KEY = env("SECRET_KEY") or _secret_key(instance_path)

        self.SQLALCHEMY_DATABASE_URI = env("DATABASE_URL") or (
            f"sqlite:///{instance_path / 'neurodesk.sqlite3'}"
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

        self.REDIS_URL = env("REDIS_URL") or None
        # Without Redis the embedded broker is a SQLite file: a real Celery worker and beat
        # run with no server to install, which is what `make run` promises.
        broker = self.REDIS_URL or f"sqla+sqlite:///{instance_path / 'broker.sqlite3'}"
        self.CELERY = {
            "broker_url": broker,
            "result_backend": self.REDIS_URL,
            "task_ignore_result": True,
            "task_always_eager": _flag(env("CELERY_TASK_ALWAYS_EAGER"), False),
            "task_eager_propagates": True,
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
            # Redis redelivers an unacknowledged task after this long (acks_late + a dead worker).
            "broker_transport_options": {"visibility_timeout": 3600} if self.REDIS_URL else {},
            "timezone": "UTC",
        }

        self.RATELIMIT_ENABLED = _flag(env("RATELIMIT_ENABLED"), True)
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_HEADERS_ENABLED = True

        self.MAIL_SERVER = env("MAIL_SERVER") or None
        self.MAIL_PORT = int(env("MAIL_PORT") or 25)
        self.MAIL_USE_TLS = _flag(env("MAIL_USE_TLS"), False)
        self.MAIL_USE_SSL = _flag(env("MAIL_USE_SSL"), False)
        self.MAIL_USERNAME = env("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = env("MAIL_PASSWORD") or None
        self.MAIL_DEFAULT_SENDER = env("MAIL_DEFAULT_SENDER") or "Neurodesk Clinic <clinic@neurodesk.localhost>"
        # Flask-Mail sends only when a server is configured; otherwise mail stays in the
        # dev mailbox (/desk/mail).
        self.MAIL_SUPPRESS_SEND = self.MAIL_SERVER is None

        self.INBOUND_EMAIL_DOMAIN = env("INBOUND_EMAIL_DOMAIN") or "reply.localhost"
        self.INBOUND_WEBHOOK_SECRET = env("INBOUND_WEBHOOK_SECRET") or None
        self.IMAP_HOST = env("IMAP_HOST") or None
        self.IMAP_PORT = int(env("IMAP_PORT") or 993)
        self.IMAP_USER = env("IMAP_USER") or None
        self.IMAP_PASSWORD = env("IMAP_PASSWORD") or None
        self.IMAP_FOLDER = env("IMAP_FOLDER") or "INBOX"
        self.IMAP_USE_SSL = _flag(env("IMAP_USE_SSL"), True)

        self.PUBLIC_BASE_URL = (env("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")

        # Patient messages are health data: keep request bodies bounded everywhere.
        self.MAX_CONTENT_LENGTH = 2 * 1024 * 1024
        self.WTF_CSRF_TIME_LIMIT = None
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.PUBLIC_BASE_URL.startswith("https://")
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.JSON_SORT_KEYS = False

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if k.isupper()}
