"""``civicly db``: the schema's migrations, and copies of the SQLite database."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from civicly import backup as backups
from civicly import migrate
from civicly.cli.base import CommandGroup

db = CommandGroup("db", help="Create and migrate the database schema.")


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database upgraded to {revision}.")


@db.command("downgrade")
@click.argument("revision", default="-1")
@click.confirmation_option(prompt="Reverting migrations drops the tables and columns they added, with their data. "
                                   "Continue?")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (default: one step; 'base' removes everything)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database downgraded to {revision}.")


@db.command("current")
def db_current() -> None:
    """Show the migration the database is at."""
    migrate.current(current_app.config["DATABASE_URL"])


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(path: Path) -> None:
    """Write a consistent copy of the SQLite database to PATH while Civicly keeps running."""
    try:
        backups.backup(current_app.config["DATABASE_URL"], path)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written to {path}.")


@db.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="This replaces every case in the database with the backup's. Continue?")
def db_restore(path: Path) -> None:
    """Replace the SQLite database's content with the backup at PATH (stop the web workers first)."""
    try:
        backups.restore(current_app.config["DATABASE_URL"], path)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Database restored from {path}.")
