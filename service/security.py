"""Response headers every answer carries: a strict CSP, no sniffing, no framing, HSTS over HTTPS.

Set in one app-wide after_request so public pages, the desk, the API, static files and error
pages all get them without each blueprint remembering. A response that already carries its
own policy keeps it: the dev mailbox's HTML preview sends a `sandbox` CSP and may be framed
by the desk itself (X-Frame-Options: SAMEORIGIN), which a blanket override would break.
"""
from __future__ import annotations

from flask import Flask, request
from flask.wrappers import Response

# No 'unsafe-inline' anywhere: every script is a file under /static/js, every style in site.css.
# JSON-LD <script type="application/ld+json"> blocks are data, never executed, so CSP lets them be.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Nothing here needs a camera, a microphone, a location or a payment sheet.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"
# Staff screens and the inbound webhook handle patient messages: no browser or proxy cache.
PRIVATE_PREFIXES = ("/desk", "/inbound")

BASELINE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
}


def add_security_headers(response: Response) -> Response:
    for name, value in BASELINE_HEADERS.items():
        response.headers.setdefault(name, value)
    # HSTS over plain HTTP is ignored by browsers and would only mislead a reader of the headers.
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.path.startswith(PRIVATE_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register the headers; trust X-Forwarded-* only when told how many proxies sit in front."""
    proxies = int(app.config.get("TRUST_PROXY_HEADERS") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind N reverse proxies the scheme/host/client IP come from their X-Forwarded-*
        # headers: request.is_secure (HSTS, Secure cookies) and rate limits by IP depend on it.
        # Trusting them without a proxy would let any client claim to be HTTPS or any IP.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies, x_prefix=proxies
        )
    app.after_request(add_security_headers)
