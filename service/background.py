"""The Celery app made from the Flask app (Flask docs' pattern): every task runs in an app context."""
from __future__ import annotations

from celery import Celery, Task
from celery.signals import setup_logging
from flask import Flask

from service.request_log import configure_logging


@setup_logging.connect
def _json_logs(**_: object) -> None:
    """Workers and beat log the same JSON lines as the web (request_log.py), not Celery's text:
    with a receiver on this signal Celery leaves logging set-up to us."""
    configure_logging()


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.conf.beat_schedule = app.config.get("CELERY_BEAT_SCHEDULE", {})
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    # Importing registers the shared tasks with this Celery app.
    import worker.tasks  # noqa: F401

    return celery_app
