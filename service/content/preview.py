"""Draft preview for headless front ends: a signed, expiring token that reads one article.

The token names the article by id (not slug), so a rename does not break a preview link and a
token for one article never opens another. It grants what an editor sees of that article
(draft, scheduled or published) until it expires; every failure reads as "no such article".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from flask import current_app, url_for
from itsdangerous import BadData, URLSafeTimedSerializer

from service.content.models import Article
from service.staff.models import utcnow

_SALT = "neurodesk.article-preview"


@dataclass(frozen=True)
class PreviewLink:
    token: str
    expires_at: datetime
    url: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _lifetime() -> timedelta:
    return timedelta(hours=float(current_app.config["PREVIEW_TOKEN_HOURS"]))


def issue(article: Article) -> PreviewLink:
    token = _serializer().dumps({"article": article.id})
    expires_at = (utcnow() + _lifetime()).replace(microsecond=0)
    return PreviewLink(token, expires_at, preview_url(article.slug, token))


def preview_url(slug: str, token: str) -> str:
    """The clinic front end's preview page when PREVIEW_URL_TEMPLATE is set, else our API read."""
    template = current_app.config.get("PREVIEW_URL_TEMPLATE")
    if template:
        # str.replace, not str.format: the template comes from the environment and may hold braces.
        return template.replace("{slug}", quote(slug, safe="")).replace("{token}", quote(token, safe=""))
    base = current_app.config["PUBLIC_BASE_URL"]
    return f"{base}{url_for('api.get_article', slug=slug)}?preview={quote(token, safe='')}"


def opens(token: str, article: Article) -> bool:
    """True when `token` is an unexpired preview token issued for this very article."""
    if not token or len(token) > 500:
        return False
    try:
        payload = _serializer().loads(token, max_age=int(_lifetime().total_seconds()))
    except BadData:  # tampered, expired, malformed: all the same to the caller
        return False
    return isinstance(payload, dict) and payload.get("article") == article.id
