"""neurodesk: the clinic's content and questions desk."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from service.config import Config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, CLI; nothing else."""
    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_path=str(root / "instance"),
        template_folder=str(root / "templates"),
        static_folder="static",
    )
    app.config.from_mapping(Config(Path(app.instance_path)).as_dict())
    if config:
        app.config.from_mapping(config)

    from service import json_bodies, url_numbers

    # Every JSON body is parsed with a nesting limit, and a view may take less than
    # MAX_CONTENT_LENGTH; every integer in a path is bounded (before any blueprint is registered).
    app.request_class = json_bodies.Request
    app.json = json_bodies.JSONProvider(app)
    url_numbers.init_app(app)

    from service.request_log import init_request_log

    # First: its after_request hook then runs last and logs the final status of every request.
    init_request_log(app)

    from service.cookie_session import CookieSessionInterface

    app.session_interface = CookieSessionInterface()

    from service.extensions import csrf, db, limiter, login_manager, mail, migrate

    import service.models  # noqa: F401  (the whole schema, for the ORM and Alembic)

    db.init_app(app)
    from service import connection_check

    with app.app_context():
        for engine in db.engines.values():
            connection_check.install(engine, app.config["DB_PING_AFTER_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(root / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    from service.staff import sessions as staff_sessions

    # Desk logins are server-side records (Redis or the database) behind the signed cookie.
    staff_sessions.init_app(app)
    limiter.init_app(app)

    from service.background import celery_init_app

    celery_init_app(app)

    from service.errors import register_error_handlers

    register_error_handlers(app)

    from service.triage.learning import stored_engine
    from service.triage.runtime import set_engine_provider

    # Every process classifies with the newest engine trained on this clinic's data.
    set_engine_provider(stored_engine)

    from service.content import page_replay

    # Before blueprints.register: a proxy middleware installed there must wrap (and run before) it.
    page_replay.init_app(app)

    from service import blueprints

    blueprints.register(app)
    return app
