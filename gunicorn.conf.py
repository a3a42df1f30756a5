"""Production web server settings (`gunicorn service.wsgi:app` reads this file by default)."""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# gthread: a few processes, each with threads, so slow clients and database waits don't block a worker.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
timeout = 30
graceful_timeout = 20
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
# No query strings in the access log: search terms can be health data.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%({x-request-id}o)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
