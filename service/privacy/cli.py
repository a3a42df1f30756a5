"""`flask --app service retention ...` and `flask --app service patient ...`."""
from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from service.privacy import patients, retention

retention_cli = AppGroup("retention", help="Erase patient data of questions closed long ago.")
patient_cli = AppGroup("patient", help="A patient's data: export a copy, or erase it.")


def _print_counts(counts: dict[str, int]) -> None:
    for name, value in counts.items():
        click.echo(f"{name}: {value}")


@retention_cli.command("purge")
@click.option("--older-than", "days", type=click.IntRange(min=0), required=True,
              help="Erase closed and spam questions closed more than DAYS days ago.")
@click.option("--dry-run", is_flag=True, help="Only count the questions that would be erased.")
def purge_command(days: int, dry_run: bool) -> None:
    """Erase message texts, mail bodies and patient names/addresses; keep references and dates."""
    result = retention.purge(days, dry_run=dry_run)
    if dry_run:
        click.echo(f"dry run: {result.counts.tickets} question(s) closed more than {days} day(s) ago would be erased")
        return
    _print_counts(result.counts.as_dict())


@patient_cli.command("export")
@click.option("--email", required=True, help="The patient's email address.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of stdout.")
def export_command(email: str, out: str | None) -> None:
    """Everything we hold about the patient, as JSON."""
    document = patients.export(email)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if out:
        import os

        # Health data: readable by the operator only (0600), never world-readable by umask accident.
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        click.echo(f"{len(document['tickets'])} question(s) written to {out}", err=True)
    else:
        sys.stdout.write(text)


@patient_cli.command("delete")
@click.option("--email", required=True, help="The patient's email address.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_command(email: str, yes: bool) -> None:
    """Erase the patient's data from every question (open ones are closed first)."""
    found = len(patients.tickets_of(email))
    if not yes:
        click.confirm(f"Erase the data of {found} question(s) from {email}? This cannot be undone", abort=True)
    _print_counts(patients.delete(email).as_dict())
