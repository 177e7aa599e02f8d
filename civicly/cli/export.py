"""``civicly export``: cases for officers' reporting, or as open data fit for publication."""
from __future__ import annotations

import sys

import click

from civicly.cli.base import CommandGroup
from civicly.db import get_session
from civicly.triage import exports
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


def _run(rows, fields, start, end, ministry: str, fmt: str, output: str) -> None:
    wanted = exports.ExportFilter(start.date() if start else None, end.date() if end else None, ministry)
    try:
        if output == "-":
            count = exports.write(rows(get_session(), Scope(None), wanted), fields, fmt, sys.stdout)
        else:
            with open(output, "w", newline="", encoding="utf-8") as out:
                count = exports.write(rows(get_session(), Scope(None), wanted), fields, fmt, out)
    except exports.UnknownMinistry as exc:
        raise click.ClickException(f"No ministry has code {normalise_code(ministry)}.") from exc
    click.echo(f"{count} cases exported.", err=True)


@export.command("cases")
@_filter_options
def export_cases(start, end, ministry: str, fmt: str, output: str) -> None:
    """Cases for reporting: routing, deadlines, first answer and closure, text as redacted at intake; no contact."""
    _run(exports.case_rows, exports.CASE_FIELDS, start, end, ministry, fmt, output)


@export.command("open-data")
@_filter_options
def export_open_data(start, end, ministry: str, fmt: str, output: str) -> None:
    """Cases fit for publication: no contact details, personal data redacted from text and place, rounded places."""
    _run(exports.open_data_rows, exports.OPEN_DATA_FIELDS, start, end, ministry, fmt, output)
