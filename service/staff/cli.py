"""`flask --app service staff ...`"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from service.errors import ServiceError
from service.extensions import db
from service.staff import services
from service.staff.models import Role

staff_cli = AppGroup("staff", help="Manage clinic staff.")


@staff_cli.command("add")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--specialty", "specialties", multiple=True, type=click.Choice(services.TOPICS))
@click.option("--password", default=None, help="Omit to keep the current one (or have none).")
def add_staff(email: str, name: str, role: str, specialties: tuple[str, ...], password: str | None) -> None:
    """Create or update a staff member."""
    try:
        staff = services.save_staff(email=email, name=name, role=role, specialties=specialties, password=password)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    topics = ", ".join(staff.topics) or "-"
    click.echo(f"{staff.email}: {staff.role} ({topics})")


@staff_cli.command("token")
@click.option("--email", required=True)
@click.option("--name", default="api")
def issue_token(email: str, name: str) -> None:
    """Print a new API token for a staff member."""
    staff = services.find_staff_by_email(email)
    if staff is None:
        raise click.ClickException(f"No staff member {email}.")
    token = services.issue_api_token(staff, name)
    db.session.commit()
    click.echo(token)
