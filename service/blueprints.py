"""Where each room plugs its pages, API and CLI into the app."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
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
