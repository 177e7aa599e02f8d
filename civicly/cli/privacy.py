"""``civicly privacy``: personal data over time, and a citizen's request for their data."""
from __future__ import annotations

import json
from datetime import datetime

import click
from flask import current_app

from civicly.cli.base import CommandGroup
from civicly.db import get_session
from civicly.errors import UnknownReference
from civicly.triage import retention

privacy = CommandGroup("privacy", help="Retention and citizens' access to their data.")


@privacy.command("purge")
@click.option("--closed-before", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Erase contact details of cases closed before this date "
                   "(default: today minus the retention period).")
@click.option("--dry-run", is_flag=True, help="Only say how many cases would be purged.")
def purge(closed_before: datetime | None, dry_run: bool) -> None:
    """Erase contact details of closed cases older than the retention period; each purge leaves an Event."""
    day = closed_before.date() if closed_before else None
    cutoff = retention.purge_cutoff(current_app.config["RETENTION_DAYS"], day)
    if dry_run:
        count = retention.count_purgeable(get_session(), cutoff)
        click.echo(f"{count} closed case(s) before {cutoff:%Y-%m-%d} still hold contact details.")
        return
    count = retention.purge_contacts(get_session(), cutoff, actor="cli:privacy-purge")
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
