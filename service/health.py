"""`/healthz`: is this process able to serve? Checks the database and the broker."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from service.extensions import csrf, db

bp = Blueprint("health", __name__)
csrf.exempt(bp)


def database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure means "not reachable" to a load balancer
        current_app.logger.warning("healthz: database unreachable", exc_info=True)
        db.session.rollback()
        return False


def broker_ok() -> bool:
    celery = current_app.extensions["celery"]
    try:
        with celery.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        current_app.logger.warning("healthz: broker unreachable", exc_info=True)
        return False


@bp.route("/healthz")
def healthz():
    checks = {"database": database_ok(), "broker": broker_ok()}
    healthy = all(checks.values())
    response = jsonify({"status": "ok" if healthy else "unavailable", "checks": checks})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
