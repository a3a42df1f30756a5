"""The webhook signature: `X-Neurodesk-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.

The HMAC covers the exact bytes received, before any parsing, so a relay cannot alter a
reply (or its reply address) in transit without the signature failing.
"""
from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Neurodesk-Signature"
_PREFIX = "sha256="


def _key(secret: str | bytes) -> bytes:
    return secret if isinstance(secret, bytes) else secret.encode("utf-8")


def compute_signature(body: bytes, secret: str | bytes) -> str:
    """The header value a sender puts on `body`, for clients, relays and tests."""
    return _PREFIX + hmac.new(_key(secret), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header_value: str | None, secret: str | bytes | None) -> bool:
    """True only for the exact signature of `body` under `secret`; constant-time comparison."""
    if not secret or not header_value:
        return False
    value = header_value.strip()
    if value[: len(_PREFIX)].lower() != _PREFIX:
        return False
    # Compare bytes, not str: compare_digest refuses non-ASCII str, and an attacker controls
    # the header. Hex case is not meaningful, so a client sending upper-case hex still passes.
    given = value[len(_PREFIX):].strip().lower().encode("utf-8", "replace")
    expected = hmac.new(_key(secret), body, hashlib.sha256).hexdigest().encode("ascii")
    return hmac.compare_digest(given, expected)
