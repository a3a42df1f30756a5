"""Rate limits on intake, one allowance shared by both doors: the form (POST /ask) and the API.

Per client IP (every request), and per patient email (accepted questions only). Both are shared
limits (one counter per scope, not per route), so alternating between the form and the API
does not double either. The email is counted by its identity (service/email_identity.py), the
form intake stores, so `victim@ｅxample.com` uses up `victim@example.com`'s allowance.
"""
from __future__ import annotations

import hashlib

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException

from service.email_identity import email_identity
from service.errors import ServiceError
from service.extensions import limiter

EMAIL_KEY_PREFIX = "intake-email:"


def ip_limit() -> str:
    return current_app.config.get("ASK_RATE_LIMIT", "10/minute;50/day")


def email_limit() -> str:
    return current_app.config.get("ASK_EMAIL_RATE_LIMIT", "5/hour")


def email_key() -> str:
    """The submitted email's identity, hashed; from the form or the JSON body, whichever came.

    Hashed: the limiter's storage has no business holding patients' addresses in clear. A body
    that cannot be read (too large, too deep) gives an empty address here; the view then refuses
    it with the proper error, and a refused question never uses up an allowance.
    """
    email = request.form.get("email")
    if email is None and request.is_json:
        try:
            body = request.get_json(silent=True)
        except (ServiceError, HTTPException):
            body = None
        email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str):
        email = ""
    return EMAIL_KEY_PREFIX + hashlib.sha256(email_identity(email).encode()).hexdigest()[:32]


def counts_submission(response: Response) -> bool:
    """Only questions that were accepted use up the per-email allowance."""
    return response.status_code in (202, 303)


per_ip = limiter.shared_limit(ip_limit, scope="intake-ip")
per_email = limiter.shared_limit(email_limit, scope="intake-email", key_func=email_key,
                                 deduct_when=counts_submission)
