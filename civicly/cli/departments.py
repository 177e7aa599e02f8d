"""``civicly departments``: ministries are data, added and renamed here."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from civicly.cli.base import CommandGroup
from civicly.db import get_session
from civicly.errors import CivicError
from civicly.languages import LANGUAGES
from civicly.triage import admin_audit
from civicly.triage import departments as dept

departments = CommandGroup("departments", help="List and manage ministries (departments).")


def _names_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for lang in reversed(LANGUAGES):
        func = click.option(f"--name-{lang}", default="", help=f"Name in {lang}.")(func)
    return func


def _names(options: dict[str, str]) -> dict[str, str]:
    return {k.removeprefix("name_"): v for k, v in options.items()}


@departments.command("list")
def departments_list() -> None:
    """Print one ministry a line: code first, then its names (and 'inactive' when deactivated)."""
    for d in dept.list_departments(get_session()):
        names = " | ".join(n for n in (getattr(d, f"name_{lang}") for lang in LANGUAGES) if n)
        click.echo(f"{d.code}\t{names}{'' if d.active else chr(9) + 'inactive'}")


@departments.command("add")
@click.argument("code")
@_names_options
def departments_add(code: str, **names: str) -> None:
    """Add a ministry with CODE and its names (--name-fr is required)."""
    if not names.get("name_fr"):
        raise click.UsageError("--name-fr is required.")
    try:
        department = dept.add_department(get_session(), code, _names(names), actor=admin_audit.cli_actor())
    except CivicError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Added {department.code}.")


@departments.command("rename")
@click.argument("code")
@_names_options
def departments_rename(code: str, **names: str) -> None:
    """Change the names of ministry CODE (only the languages given)."""
    try:
        department = dept.rename_department(get_session(), code, _names(names), actor=admin_audit.cli_actor())
    except dept.UnknownDepartment as exc:
        raise click.ClickException(f"No ministry has code {dept.normalise_code(code)}.") from exc
    click.echo(f"Renamed {department.code}.")


@departments.command("deactivate")
@click.argument("code")
def departments_deactivate(code: str) -> None:
    """Stop routing new cases to ministry CODE; its existing cases stay."""
    try:
        department = dept.set_department_active(get_session(), code, False, actor=admin_audit.cli_actor())
    except dept.UnknownDepartment as exc:
        raise click.ClickException(f"No ministry has code {dept.normalise_code(code)}.") from exc
    click.echo(f"Deactivated {department.code}.")


@departments.command("set-escalation")
@click.argument("code")
@click.option("--warn-at", "percent", type=click.IntRange(1, 100), required=True, metavar="PERCENT",
              help="Share of the service-level time after which an unanswered case alerts its holder (default 80).")
def departments_set_escalation(code: str, percent: int) -> None:
    """Set when cases of ministry CODE without a public answer alert their holder, or its supervisors."""
    try:
        department = dept.set_warning_threshold(get_session(), code, percent, actor=admin_audit.cli_actor())
    except dept.UnknownDepartment as exc:
        raise click.ClickException(f"No ministry has code {dept.normalise_code(code)}.") from exc
    click.echo(f"{department.code}: alerts at {percent} % of the service-level time.")
