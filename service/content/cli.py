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


@content_cli.command("refresh-caches")
def refresh_caches_command() -> None:
    """Make every web process re-read content on its next request (after psql edits or a restore)."""
    from service.content.changes import record_change

    # A change row moves the content version (the check without Redis); its commit replaces the
    # shared Redis token (freshness.py). Either way every generation in every process is dropped.
    record_change("site", 0, "refreshed", "caches refreshed from the command line", None)
    db.session.commit()
    click.echo("content caches refreshed: every web process re-reads content on its next request")
