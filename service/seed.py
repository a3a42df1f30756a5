"""Demo staff and demo content for a fresh install (`flask --app service seed`); idempotent."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from service.extensions import db
from service.staff.models import Staff
from service.staff.services import find_staff_by_email, save_staff

DEMO_PASSWORD = "neurodesk-demo"
DEMO_STAFF = (
    {"email": "admin@clinic.localhost", "name": "Alex Admin", "role": "admin", "specialties": ()},
    {"email": "coordinator@clinic.localhost", "name": "Casey Coordinator", "role": "coordinator", "specialties": ()},
    {"email": "spine@clinic.localhost", "name": "Dr Sam Spine", "role": "surgeon", "specialties": ("spine",)},
    {"email": "spine2@clinic.localhost", "name": "Dr Lee Lumbar", "role": "surgeon", "specialties": ("spine",)},
    {"email": "brain@clinic.localhost", "name": "Dr Bo Brain", "role": "surgeon", "specialties": ("brain",)},
    {"email": "tos@clinic.localhost", "name": "Dr Tao Outlet", "role": "surgeon", "specialties": ("tos", "spine")},
)


def seed_staff() -> int:
    """Create the demo staff that do not exist yet; never reset a changed password."""
    created = 0
    for member in DEMO_STAFF:
        if find_staff_by_email(member["email"]) is None:
            save_staff(**member, password=DEMO_PASSWORD)
            created += 1
    return created


def seed_content() -> str:
    from service.content.importer import DEMO_CONTENT_PATH, import_content_file

    return import_content_file(DEMO_CONTENT_PATH).summary()


def database_is_empty() -> bool:
    return db.session.execute(select(func.count()).select_from(Staff)).scalar_one() == 0


def seed_triage() -> str:
    """Train triage on the seeded content now, so a fresh install triages well from the first question."""
    from service.triage.learning import is_stale, retrain

    if not is_stale():
        return "triage engine up to date"
    record = retrain()
    return f"triage engine trained on {record.content_examples} content examples"


def seed() -> list[str]:
    lines = [f"staff: {seed_staff()} created"]
    lines.append(f"content: {seed_content()}")
    db.session.flush()
    lines.append(seed_triage())
    db.session.commit()
    return lines


@click.command("seed")
@click.option("--if-empty", is_flag=True, help="Only seed a database with no staff yet.")
@with_appcontext
def seed_command(if_empty: bool) -> None:
    """Load demo content and demo staff (safe to run again)."""
    if if_empty and not database_is_empty():
        click.echo("database already has data; not seeding")
        return
    for line in seed():
        click.echo(line)
