"""``civicly privacy``: personal data over time, and a citizen's request for their data."""
from __future__ import annotations

import json
from datetime import datetime

import click
from flask import current_app

from civicly.cli.base import CommandGroup
from civicly.db import get_session
from civicly.errors import UnknownReference
from civicly.triage import admin_audit, reredaction, retention

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


@privacy.command("reredact")
def reredact() -> None:
    """Redact stored cases, training labels and survey comments again with today's rules (after an upgrade)."""
    session = get_session()
    done = reredaction.reredact(session)
    admin_audit.record(session, admin_audit.cli_actor(), "privacy.reredact", "cases",
                       cases_read=done.cases_read, cases_changed=done.cases_changed,
                       labels_changed=done.labels_changed, comments_changed=done.comments_changed)
    click.echo(f"{done.cases_read} case(s) read: the redacted text of {done.cases_changed} changed, "
               f"{done.labels_changed} training label(s) and {done.comments_changed} survey comment(s) with it.")
