"""Flask's signed-cookie sessions, minus the work for requests that carry no session cookie.

Flask builds an itsdangerous serializer on every request before it even looks for the cookie
(~25 us of CPU). Most page views (public pages, API reads) carry no cookie at all; for them the
session is simply empty, exactly as Flask would have made it. Same cookie format, same signing.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def get_signing_serializer(self, app: Flask) -> Any:
        # Built once per key set instead of per request (the serializer holds no request state).
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = getattr(self, "_serializer", None)
        if cached is None or cached[0] != keys:
            cached = (keys, super().get_signing_serializer(app))
            self._serializer = cached
        return cached[1]
