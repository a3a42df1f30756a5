"""Where each room plugs its pages, API and CLI into the app."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

# The id columns are 32-bit INTEGERs (PostgreSQL int4); SQLite cannot even bind past 2**63.
MAX_ID = 2**31 - 1


class DatabaseId(IntegerConverter):
    """`<int:...>` in every URL: a number no id column can hold does not match (404), so a
    20-digit id never reaches the database as an out-of-range error (a 500)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def register(app: Flask) -> None:
    # Before any blueprint: rules pick their converters when they are added.
    app.url_map.converters["int"] = DatabaseId

    from service.desk import bp as desk_bp

    app.register_blueprint(desk_bp)

    from service.health import bp as health_bp

    app.register_blueprint(health_bp)

    from service.tickets.api import bp as tickets_api_bp
    from service.tickets.views import bp as tickets_bp

    app.register_blueprint(tickets_bp)
    app.register_blueprint(tickets_api_bp)

    from service.content.editor import bp as editor_bp
    from service.content.views import bp as pages_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(editor_bp)

    from service.content.api import bp as content_api_bp

    app.register_blueprint(content_api_bp)

    from service.mail.webhook import bp as inbound_webhook_bp

    app.register_blueprint(inbound_webhook_bp)

    from service import security

    security.init_app(app)

    from service.cli import register_cli

    register_cli(app)
