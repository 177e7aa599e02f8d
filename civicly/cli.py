"""The ``civicly`` command: database, ministries, users, demo data and models."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup

from civicly import classify, create_app, migrate
from civicly.apikeys_cli import apikeys_group
from civicly.db import get_session
from civicly.deadlines_cli import holidays, seed_demo_deadlines, sla
from civicly.errors import CivicError
from civicly.export_cli import export
from civicly.models import Role
from civicly.model_cli import model
from civicly.models.organisations import LANGUAGES
from civicly.outbox_cli import outbox, worker
from civicly.ops.cli import check
from civicly.privacy_cli import db_backup, db_restore, privacy
from civicly.triage import accounts, demo, groups
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


db.add_command(db_backup)
db.add_command(db_restore)
main.add_command(privacy)


@main.command("seed-demo")
@click.option("--cases", type=click.IntRange(0, 20000), default=0, show_default=True,
              help="Also file this many demo cases from the texts in data/*.csv, once (skipped if already loaded).")
def seed_demo(cases: int) -> None:
    """Load the demo ministries, deadlines and holidays, and optionally demo cases. Safe to run twice."""
    session = get_session()
    added, updated = dept.seed_from_file(session)
    click.echo(f"Demo ministries: {added} added, {updated} already present.")
    click.echo(seed_demo_deadlines())
    if cases and demo.demo_present(session):
        click.echo("Demo cases: already loaded.")
    elif cases:
        click.echo(f"Demo cases: {demo.file_demo_cases(session, cases, classify.route)} filed.")
        groups.attach_all_pending(session, "seed-demo")  # similar reports, as `civicly worker` groups them


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


@main.group()
def users() -> None:
    """Create and manage civil servants' accounts."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.officer.value, show_default=True,
              help="officer: their ministries' cases; triage: the manual triage queue; admin: everything, read-only.")
@click.option("--department", "departments_", multiple=True, metavar="CODE",
              help="A ministry this person works for (repeat for several).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def users_create(email: str, role: str, departments_: tuple[str, ...], password_stdin: bool) -> None:
    """Create an account for EMAIL; the password is asked for (never given on the command line)."""
    password = _read_password(password_stdin)
    try:
        accounts.create_user(get_session(), email, password, Role(role), departments_)
    except (accounts.AccountError, accounts.WeakPassword) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {role} {accounts.normalise_email(email)}.")


@users.command("list")
def users_list() -> None:
    """Print one account a line: e-mail, role, ministries, and 'disabled' when disabled."""
    for user, codes in accounts.list_users(get_session()):
        state = "" if user.active else "\tdisabled"
        click.echo(f"{user.email}\t{user.role}\t{','.join(codes) or '-'}{state}")


@users.command("disable")
@click.argument("email")
def users_disable(email: str) -> None:
    """Disable the account of EMAIL at once (it is signed out on its next request)."""
    try:
        accounts.set_active(get_session(), email, False)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Disabled {accounts.normalise_email(email)}.")


@users.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def users_set_password(email: str, password_stdin: bool) -> None:
    """Set a new password for EMAIL (and lift any lock-out)."""
    password = _read_password(password_stdin)
    try:
        accounts.set_password(get_session(), email, password)
    except (accounts.AccountError, accounts.WeakPassword) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Password changed for {accounts.normalise_email(email)}.")


main.add_command(apikeys_group)
main.add_command(model)
main.add_command(check)
main.add_command(sla)
main.add_command(holidays)
main.add_command(worker)
main.add_command(outbox)
main.add_command(export)
