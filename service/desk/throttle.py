"""Login throttling: failed attempts only, per email and per client address.

Flask-Limiter checks both limits before the view runs (a throttled request is refused
without the password even being looked at, so a correct guess cannot slip through), and
deducts only when the view marks the attempt as failed (`deduct_when`). Counters live in
the limiter's storage (Redis in production), so every web worker shares them.
"""
from __future__ import annotations

import hashlib

from flask import current_app, request
from flask.wrappers import Response
from flask_limiter.util import get_remote_address

from service.extensions import limiter
from service.staff.services import normalise_email

EMAIL_KEY_PREFIX = "login-email:"
IP_KEY_PREFIX = "login-ip:"


def _window() -> int:
    return int(current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


def _per_email() -> str:
    return f"{current_app.config['LOGIN_FAILURES_PER_EMAIL']} per {_window()} minutes"


def _per_ip() -> str:
    return f"{current_app.config['LOGIN_FAILURES_PER_IP']} per {_window()} minutes"


def _email_key() -> str:
    # Hashed: the limiter storage has no business holding staff addresses in clear.
    email = normalise_email(request.form.get("email", ""))
    return EMAIL_KEY_PREFIX + hashlib.sha256(email.encode()).hexdigest()[:32]


def _ip_key() -> str:
    return IP_KEY_PREFIX + (get_remote_address() or "unknown")


def _message() -> str:
    return (
        f"Too many failed login attempts. Please wait {_window()} minutes and try again; "
        "if you have forgotten your password, ask a desk admin to set a new one."
    )


FAILED_FLAG = "neurodesk.login_failed"


def _attempt_failed(response: Response) -> bool:
    return bool(request.environ.get(FAILED_FLAG))


def mark_failed() -> None:
    """Count this request against both limits (called by the view on a wrong password).

    The flag lives in the request's WSGI environ, not `g`: `g` belongs to the app context,
    which can outlive one request (tests, CLI), and must not leak a failure into the next.
    """
    request.environ[FAILED_FLAG] = True


def forget_email_failures() -> None:
    """After a successful login, clear that account's counter, never the address's.

    Whoever logs in proved they know the password, so earlier typos on that account need not
    linger. The per-address counter stays: otherwise one valid account could be used to
    reset the budget between guesses at other accounts from the same address.
    """
    for request_limit in limiter.current_limits:
        if any(str(arg).startswith(EMAIL_KEY_PREFIX) for arg in request_limit.request_args):
            limiter.limiter.clear(request_limit.limit, *request_limit.request_args)


per_email = limiter.limit(
    _per_email, key_func=_email_key, methods=["POST"], deduct_when=_attempt_failed, error_message=_message
)
per_ip = limiter.limit(
    _per_ip, key_func=_ip_key, methods=["POST"], deduct_when=_attempt_failed, error_message=_message
)
