"""``civicly privacy`` and ``civicly db backup/restore``: personal data over time, and copies of the database."""
from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from civicly import backup as backups
from civicly.db import get_session
from civicly.errors import UnknownReference
from civicly.models.timestamps import utcnow
from civicly.triage import retention


@click.group("privacy", cls=AppGroup)
def privacy() -> None:
    """Retention and citizens' access to their data."""


@privacy.command("purge")
@click.option("--closed-before", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Erase contact details of cases closed before this date (default: today minus the retention period).")
@click.option("--dry-run", is_flag=True, help="Only say how many cases would be purged.")
def purge(closed_before: datetime | None, dry_run: bool) -> None:
    """Erase contact details of closed cases older than the retention period; each purge leaves an Event."""
    if closed_before is None:
        cutoff = utcnow() - timedelta(days=current_app.config["RETENTION_DAYS"])
    else:
        cutoff = datetime.combine(closed_before.date(), time.min, tzinfo=timezone.utc)
    session = get_session()
    if dry_run:
        count = retention.count_purgeable(session, cutoff)
        click.echo(f"{count} closed case(s) before {cutoff:%Y-%m-%d} still hold contact details.")
        return
    count = retention.purge_contacts(session, cutoff, actor="cli:privacy-purge")
    click.echo(f"Erased contact details of {count} closed case(s) closed before {cutoff:%Y-%m-%d}.")


@privacy.command("export")
@click.argument("reference")
def export(reference: str) -> None:
    """Print, as JSON, everything held about the case REFERENCE (a citizen's request for their data)."""
    try:
        data = retention.export_personal_data(get_session(), reference)
    except UnknownReference as exc:
        raise click.ClickException(f"No case has reference {reference}.") from exc
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(path: Path) -> None:
    """Write a consistent copy of the SQLite database to PATH while Civicly keeps running."""
    try:
        backups.backup(current_app.config["DATABASE_URL"], path)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written to {path}.")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="This replaces every case in the database with the backup's. Continue?")
def db_restore(path: Path) -> None:
    """Replace the SQLite database's content with the backup at PATH (stop the web workers first)."""
    try:
        backups.restore(current_app.config["DATABASE_URL"], path)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Database restored from {path}.")
