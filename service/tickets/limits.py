"""Rate limits on intake: per client IP, and per patient email for successful submissions."""
from __future__ import annotations

from flask import Response, current_app, request


def ip_limit() -> str:
    return current_app.config.get("ASK_RATE_LIMIT", "10/minute;50/day")


def email_limit() -> str:
    return current_app.config.get("ASK_EMAIL_RATE_LIMIT", "5/hour")


def email_key() -> str:
    """The submitted email, normalised; from the form or the JSON body, whichever came."""
    email = request.form.get("email")
    if email is None and request.is_json:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str):
        email = ""
    return "ask-email:" + email.strip().lower()[:254]


def counts_submission(response: Response) -> bool:
    """Only questions that were accepted use up the per-email allowance."""
    return response.status_code in (202, 303)
