"""``civicly audit``: read and export the administration audit (who did what, when, from where)."""
from __future__ import annotations

import json
import sys

import click

from civicly.cli.base import CommandGroup
from civicly.db import get_session
from civicly.triage import admin_audit, audit_trail, exports

audit = CommandGroup("audit", help="Read and export the administration audit (append-only).")


def _filter_options(func):
    func = click.option("--actor", default="", help="Only this actor: an officer's e-mail or cli:<system user>.")(func)
    func = click.option("--action", default="",
                        help="An action (model.promote) or a family (model, or model.).")(func)
    func = click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                        help="From this day on (YYYY-MM-DD, UTC).")(func)
    return func


def _wanted(since, action: str, actor: str) -> audit_trail.AuditFilter:
    return audit_trail.AuditFilter(since.date() if since else None, action, actor)


@audit.command("list")
@_filter_options
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="How many, newest first.")
def audit_list(since, action: str, actor: str, limit: int) -> None:
    """Print entries newest first, one a line: time, actor, address, action, target, details (JSON)."""
    found = audit_trail.listing(get_session(), _wanted(since, action, actor), limit)
    for entry in found:
        details = json.dumps(entry.details, ensure_ascii=False, sort_keys=True)
        click.echo(f"{entry.created_at.isoformat(timespec='seconds')}\t{entry.actor}\t{entry.address}\t"
                   f"{entry.action}\t{entry.target}\t{details}")
    if not found:
        click.echo("No entries.", err=True)


@audit.command("export")
@_filter_options
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="csv", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default="-",
              help="File to write (default: standard output).")
def audit_export(since, action: str, actor: str, fmt: str, output: str) -> None:
    """Write every chosen entry, newest first, as CSV or JSON Lines; the export is itself recorded (audit.export)."""
    wanted, who = _wanted(since, action, actor), admin_audit.cli_actor()
    if output == "-":
        count = audit_trail.export(get_session(), who, wanted, fmt, sys.stdout, "stdout")
    else:
        with open(output, "w", newline="", encoding="utf-8") as out:
            count = audit_trail.export(get_session(), who, wanted, fmt, out, "file")
    click.echo(f"{count} entries exported.", err=True)
