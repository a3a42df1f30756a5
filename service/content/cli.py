"""`flask --app service content ...`"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from service.extensions import db

content_cli = AppGroup("content", help="Manage clinic content.")


@content_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=str))
def import_command(path: str) -> None:
    """Import sections, articles and FAQs from a JSON FILE (safe to run again)."""
    from service.content.importer import ContentImportError, import_content_file

    try:
        report = import_content_file(path)
        db.session.commit()
    except ContentImportError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    click.echo(report.summary())
