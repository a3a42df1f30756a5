"""CLI groups by domain (`flask --app service ...`)."""
from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from service.seed import seed_command
    from service.staff.cli import staff_cli

    app.cli.add_command(staff_cli)
    app.cli.add_command(seed_command)

    from service.content.cli import content_cli

    app.cli.add_command(content_cli)

    from service.triage.cli import triage

    app.cli.add_command(triage)

    from service.privacy.cli import patient_cli, retention_cli

    app.cli.add_command(retention_cli)
    app.cli.add_command(patient_cli)
