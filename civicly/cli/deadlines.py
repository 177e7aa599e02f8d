"""``civicly sla`` and ``civicly holidays``: response deadlines are data, managed here."""
from __future__ import annotations

import click

from civicly.cli.base import CommandGroup
from civicly.db import get_session
from civicly.triage import admin_audit, deadlines
from civicly.triage.departments import normalise_code

sla = CommandGroup("sla", help="Response deadlines per ministry and urgency.")


@sla.command("list")
def sla_list() -> None:
    """Print one service level a line: ministry ('*' any), urgency ('*' any), days, working or calendar."""
    for row in deadlines.list_levels(get_session()):
        click.echo(f"{row.department}\t{row.urgency}\t{row.days}\t{'working' if row.working_days else 'calendar'} days")


@sla.command("set")
@click.argument("ministry")
@click.option("--urgency", default="*", show_default=True, type=click.Choice(["*", "high", "medium", "low"]),
              help="The urgency level this deadline is for ('*': any).")
@click.option("--days", type=click.IntRange(1, deadlines.MAX_DAYS), required=True, help="Days to answer.")
@click.option("--calendar", "calendar_days", is_flag=True, help="Count calendar days (default: working days).")
def sla_set(ministry: str, urgency: str, days: int, calendar_days: bool) -> None:
    """Give MINISTRY (a code, or '*' for every ministry) DAYS to answer cases of an urgency.

    New and re-ranked cases get the new deadline; existing deadlines are kept.
    """
    try:
        deadlines.set_level(get_session(), ministry, urgency, days, not calendar_days,
                            actor=admin_audit.cli_actor())
    except deadlines.InvalidServiceLevel as exc:
        raise click.ClickException(str(exc)) from exc
    kind = "calendar" if calendar_days else "working"
    click.echo(f"{normalise_code(ministry)} / {urgency}: {days} {kind} days.")


holidays = CommandGroup("holidays", help="Public holidays, skipped when deadlines count working days.")


@holidays.command("add")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("name")
def holidays_add(day, name: str) -> None:
    """Add the public holiday DAY (YYYY-MM-DD) called NAME (renames it if it exists)."""
    holiday = deadlines.add_holiday(get_session(), day.date(), name, actor=admin_audit.cli_actor())
    click.echo(f"{holiday.day.isoformat()}\t{holiday.name}")


@holidays.command("list")
@click.option("--year", type=int, default=None, help="Only this year.")
def holidays_list(year: int | None) -> None:
    """Print one holiday a line: date, then name."""
    for holiday in deadlines.list_holidays(get_session(), year):
        click.echo(f"{holiday.day.isoformat()}\t{holiday.name}")

