"""``civicly export``: cases for officers' reporting, or as open data fit for publication."""
from __future__ import annotations

import sys

import click

from civicly.cli.base import CommandGroup
from civicly.db import get_read_session, get_session
from civicly.triage import admin_audit, exports
from civicly.triage.dashboard import Scope
from civicly.triage.departments import normalise_code

export = CommandGroup("export", help="Cases as CSV or JSON Lines, filtered by reception date and ministry.")


def _filter_options(func):
    func = click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default="-",
                        help="File to write (default: standard output).")(func)
    func = click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="csv", show_default=True)(func)
    func = click.option("--ministry", default="", help="Only this ministry's cases (its code).")(func)
    func = click.option("--to", "end", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                        help="Received on or before this day (YYYY-MM-DD).")(func)
    func = click.option("--from", "start", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                        help="Received on or after this day (YYYY-MM-DD).")(func)
    return func


def _run(kind: str, start, end, ministry: str, fmt: str, output: str) -> None:
    """Export ``kind``; recorded in the administration audit with the filters and row count."""
    wanted = exports.ExportFilter(start.date() if start else None, end.date() if end else None, ministry)
    actor = admin_audit.cli_actor()
    try:
        if output == "-":
            count = exports.export(get_session(), actor, kind, Scope(None), wanted, fmt, sys.stdout, "stdout",
                                   reader=get_read_session())
        else:
            with open(output, "w", newline="", encoding="utf-8") as out:
                count = exports.export(get_session(), actor, kind, Scope(None), wanted, fmt, out, "file",
                                       reader=get_read_session())
    except exports.UnknownMinistry as exc:
        raise click.ClickException(f"No ministry has code {normalise_code(ministry)}.") from exc
    click.echo(f"{count} cases exported.", err=True)


@export.command("cases")
@_filter_options
def export_cases(start, end, ministry: str, fmt: str, output: str) -> None:
    """Cases for reporting: routing, deadlines, first answer and closure, text as redacted at intake; no contact."""
    _run("cases", start, end, ministry, fmt, output)


@export.command("open-data")
@_filter_options
def export_open_data(start, end, ministry: str, fmt: str, output: str) -> None:
    """Cases fit for publication: no contact details, personal data redacted from text and place, rounded places."""
    _run("open-data", start, end, ministry, fmt, output)
