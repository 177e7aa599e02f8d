"""The ``civicly`` command: database, ministries, demo data and (from classifier) models."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import FlaskGroup

from civicly import create_app, migrate
from civicly.db import get_session
from civicly.errors import CivicError
from civicly.models.organisations import LANGUAGES
from civicly.triage import departments as dept


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True,
             help="Civicly: citizen-feedback triage. Settings come from CIVICLY_* environment variables.")
def main() -> None:
    """Entry point of the ``civicly`` console script."""


@main.group()
def db() -> None:
    """Create and migrate the database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database upgraded to {revision}.")


@db.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (default: one step; 'base' removes everything)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database downgraded to {revision}.")


@db.command("current")
def db_current() -> None:
    """Show the migration the database is at."""
    migrate.current(current_app.config["DATABASE_URL"])


@main.command("seed-demo")
def seed_demo() -> None:
    """Load the demo ministries (French and English names at least). Safe to run twice."""
    added, updated = dept.seed_from_file(get_session())
    click.echo(f"Demo ministries: {added} added, {updated} already present.")


@main.group()
def departments() -> None:
    """List and manage ministries (departments)."""


def _names_options(func):
    for lang in reversed(LANGUAGES):
        func = click.option(f"--name-{lang}", default="", help=f"Name in {lang}.")(func)
    return func


@departments.command("list")
def departments_list() -> None:
    """Print one ministry a line: code first, then its names (and 'inactive' when deactivated)."""
    for d in dept.list_departments(get_session()):
        names = " | ".join(n for n in (d.name_fr, d.name_en, d.name_ar, d.name_sw) if n)
        click.echo(f"{d.code}\t{names}{'' if d.active else chr(9) + 'inactive'}")


@departments.command("add")
@click.argument("code")
@_names_options
def departments_add(code: str, **names: str) -> None:
    """Add a ministry with CODE and its names (--name-fr is required)."""
    names = {k.removeprefix("name_"): v for k, v in names.items()}
    if not names.get("fr"):
        raise click.UsageError("--name-fr is required.")
    try:
        dept.add_department(get_session(), code, names)
    except CivicError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Added {code.upper()}.")


@departments.command("rename")
@click.argument("code")
@_names_options
def departments_rename(code: str, **names: str) -> None:
    """Change the names of ministry CODE (only the languages given)."""
    names = {k.removeprefix("name_"): v for k, v in names.items()}
    try:
        dept.rename_department(get_session(), code, names)
    except dept.UnknownDepartment as exc:
        raise click.ClickException(f"No ministry has code {code.upper()}.") from exc
    click.echo(f"Renamed {code.upper()}.")


@departments.command("deactivate")
@click.argument("code")
def departments_deactivate(code: str) -> None:
    """Stop routing new cases to ministry CODE; its existing cases stay."""
    try:
        dept.set_department_active(get_session(), code, False)
    except dept.UnknownDepartment as exc:
        raise click.ClickException(f"No ministry has code {code.upper()}.") from exc
    click.echo(f"Deactivated {code.upper()}.")
