"""Production web server settings (`gunicorn service.wsgi:app` reads this file by default)."""
import os

from gunicorn.glogging import Logger

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# gthread: a few processes, each with threads, so slow clients and database waits don't block a worker.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
timeout = 30
graceful_timeout = 20
# Recycle workers now and then (a slow leak cannot grow forever), but rarely: a new worker starts
# with no rendered pages and loads the triage engine. At ~2,500 req/s per worker, 5000 meant a
# restart every two seconds.
max_requests = 200_000
max_requests_jitter = 20_000
# SIGTERM (docker stop, systemd, a deploy): stop accepting, let in-flight requests finish for up
# to graceful_timeout seconds, then exit. Keep the orchestrator's stop timeout above this.
# Access lines come from the app (service/request_log.py): JSON, with the request id, the path
# and never the query string (search terms can be health data). gunicorn's own is off.
accesslog = None


class AppWritesAccessLines(Logger):
    """gunicorn's logger minus its access line. With a logconfig_dict, gunicorn builds every
    line's atoms before a handler-less logger drops it: 7% of an article page's CPU."""

    def access(self, resp, req, environ, request_time):
        return None


logger_class = AppWritesAccessLines
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "service.request_log.JsonFormatter"}},
    "handlers": {"json": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"level": "INFO", "handlers": ["json"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False, "qualname": "gunicorn.error"},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False, "qualname": "gunicorn.access"},
    },
}
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
