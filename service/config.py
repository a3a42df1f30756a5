"""Configuration from the environment (CONTRACT.md section 2); nothing else reads os.environ."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv
from kombu import Queue

# Work for an emergency (its triage, the coordinators' alerts, their mail) goes here; every worker
# consumes it before the default queue, so an emergency never waits behind a burst of questions.
URGENT_QUEUE = "urgent"
DEFAULT_QUEUE = "celery"


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _number(value: str | None, default: float) -> float:
    """A positive number from the environment; a blank or nonsense value keeps the default."""
    try:
        number = float(value) if value is not None and value.strip() else default
    except ValueError:
        return default
    return number if number > 0 else default


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
        # Not pool_pre_ping (a round trip before every checkout): connection_check pings only
        # a connection that sat idle longer than this.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False}
        self.DB_PING_AFTER_IDLE_SECONDS = _number(env("DB_PING_AFTER_IDLE_SECONDS"), 1.0)
        # SQL parameters are patient text (questions, names, addresses): keep them out of SQL
        # logs and out of database exception messages, which workers and error pages log.
        self.SQLALCHEMY_ENGINE_OPTIONS["hide_parameters"] = True

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
            # A worker started with no -Q consumes both, urgent first (queue_order_strategy below).
            "task_default_queue": DEFAULT_QUEUE,
            "task_queues": (Queue(URGENT_QUEUE), Queue(DEFAULT_QUEUE)),
            "broker_connection_retry_on_startup": True,
            # Redis redelivers an unacknowledged task after this long (acks_late + a dead worker).
            "broker_transport_options": {"visibility_timeout": 3600} if self.REDIS_URL else {},
            "timezone": "UTC",
        }
        if self.REDIS_URL:
            # A broker that is down or unreachable costs a publish milliseconds, not a TCP
            # timeout: the request gives up at once and the outbox relay retries (intake at scale).
            self.CELERY["broker_transport_options"].update({"socket_connect_timeout": 2, "socket_timeout": 10})
            # BRPOP the queues in the order given (urgent first) instead of kombu's round robin,
            # which would let a backlog of ordinary triage take every other turn.
            self.CELERY["broker_transport_options"]["queue_order_strategy"] = "priority"
            if self.REDIS_URL.startswith(("redis://", "rediss://")):
                self.CELERY["broker_transport"] = "service.broker:Transport"  # one client per channel
        # Periodic tasks run by `celery -A worker beat`; each room adds its own entries.
        self.CELERY_BEAT_SCHEDULE = {
            # Hand over outbox events a request could not (broker down) and re-dispatch stranded ones.
            # On the urgent queue: the relay recovers lost emergencies, so it must not wait behind
            # the very backlog a broker restart leaves.
            "relay-outbox": {"task": "neurodesk.relay_outbox",
                             "schedule": _number(env("OUTBOX_RELAY_INTERVAL_SECONDS"), 5.0),
                             "options": {"queue": URGENT_QUEUE}},
            # Retrain triage when content was published or coordinators corrected tags (cheap no-op otherwise).
            "retrain-triage": {"task": "neurodesk.retrain_triage", "schedule": 120.0},
            # Remind surgeons of overdue questions, then escalate to coordinators (each once).
            "remind-overdue": {"task": "neurodesk.remind_overdue", "schedule": 300.0},
        }

        # Outbox relay: an event the request could not hand over is relayed after this long; one
        # dispatched but still undone after the second figure (worker killed, broker lost it) is
        # dispatched again. Tasks are idempotent, so a short redispatch only costs extra work.
        self.OUTBOX_RELAY_AFTER_SECONDS = _number(env("OUTBOX_RELAY_AFTER_SECONDS"), 5.0)
        self.OUTBOX_REDISPATCH_AFTER_SECONDS = _number(env("OUTBOX_REDISPATCH_AFTER_SECONDS"), 900.0)
        # An emergency's work is not left waiting that long: with a relay every 5 s it is dispatched
        # again within 50 s of being dispatched and not done, whatever the broker says.
        self.OUTBOX_URGENT_REDISPATCH_AFTER_SECONDS = _number(env("OUTBOX_URGENT_REDISPATCH_AFTER_SECONDS"), 45.0)
        # send_email retries a 4xx or a dropped connection after base * 2^n seconds (jittered, capped).
        self.MAIL_RETRY_BASE_SECONDS = _number(env("MAIL_RETRY_BASE_SECONDS"), 2.0)
        self.MAIL_RETRY_MAX_SECONDS = _number(env("MAIL_RETRY_MAX_SECONDS"), 600.0)

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
        if self.IMAP_HOST:
            # Replies that reach the mailbox rather than the webhook are picked up within ~30 s.
            self.CELERY_BEAT_SCHEDULE["poll-reply-mailbox"] = {"task": "neurodesk.poll_imap", "schedule": 30.0}

        self.PUBLIC_BASE_URL = (env("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
        # The clinic front end's draft preview, "{slug}" and "{token}" filled in; unset: the API URL.
        self.PREVIEW_URL_TEMPLATE = env("PREVIEW_URL_TEMPLATE") or None
        self.PREVIEW_TOKEN_HOURS = _number(env("PREVIEW_TOKEN_HOURS"), 24.0)
        # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: trust none).
        # Behind an HTTPS-terminating proxy set 1, so HSTS and rate limits see the real scheme and IP.
        self.TRUST_PROXY_HEADERS = int(_number(env("TRUST_PROXY_HEADERS"), 0))
        # 0: surgeon notifications carry only the reference and a desk link, never the question
        # text (for clinics whose staff mail is not trusted with health data).
        self.MAIL_INCLUDE_QUESTION = _flag(env("MAIL_INCLUDE_QUESTION"), True)

        # Patient messages are health data: keep request bodies bounded everywhere.
        self.MAX_CONTENT_LENGTH = 2 * 1024 * 1024
        self.WTF_CSRF_TIME_LIMIT = None
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.PUBLIC_BASE_URL.startswith("https://")
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.JSON_SORT_KEYS = False

        # Desk accounts. A staff session is a server-side record (staff/sessions.py): it ends this
        # many hours after login whatever happens, and after DESK_IDLE_MINUTES without a request.
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=_number(env("DESK_SESSION_HOURS"), 12))
        self.DESK_IDLE_MINUTES = _number(env("DESK_IDLE_MINUTES"), 30)
        # "strong": a session cookie replayed from another IP or browser is dropped at once.
        self.SESSION_PROTECTION = "strong"
        # Login throttling: only failed attempts count, in a moving window (see desk/throttle.py).
        self.LOGIN_FAILURES_PER_EMAIL = max(1, int(_number(env("LOGIN_FAILURES_PER_EMAIL"), 5)))
        self.LOGIN_FAILURES_PER_IP = max(1, int(_number(env("LOGIN_FAILURES_PER_IP"), 20)))
        self.LOGIN_FAILURE_WINDOW_MINUTES = max(1, int(_number(env("LOGIN_FAILURE_WINDOW_MINUTES"), 15)))
        # A fixed window would allow twice the limit across a window boundary.
        self.RATELIMIT_STRATEGY = env("RATELIMIT_STRATEGY") or "moving-window"
        # Response-time targets the desk measures against (hours to the first surgeon reply).
        self.RESPONSE_TARGET_HOURS = _number(env("RESPONSE_TARGET_HOURS"), 48)
        self.URGENT_RESPONSE_TARGET_HOURS = _number(env("URGENT_RESPONSE_TARGET_HOURS"), 4)
        # URLs per sitemap file; past it /sitemap.xml is an index of pages (50,000: the protocol's cap).
        self.SITEMAP_MAX_URLS = max(1, min(int(_number(env("SITEMAP_MAX_URLS"), 50_000)), 50_000))

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if k.isupper()}
