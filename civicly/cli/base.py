"""One way to declare a ``civicly`` command: its callback runs in the app context, as one unit of work."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from flask.cli import with_appcontext

from civicly.db import unit_of_work


def _in_unit_of_work(callback: Callable[..., Any]) -> Callable[..., Any]:
    """``callback`` committed once if it succeeds and rolled back if it fails: services only flush, so no command
    has to remember to commit."""

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        with unit_of_work():
            return callback(*args, **kwargs)

    return run


def _adapt(callback: Callable[..., Any], app_context: bool, database: bool) -> Callable[..., Any]:
    if not app_context:
        return callback
    return with_appcontext(_in_unit_of_work(callback) if database else callback)


def command(name: str, *, app_context: bool = True, database: bool = True,
            **kwargs: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """A top-level ``civicly`` command, declared as the groups' commands are."""
    return lambda callback: click.command(name, **kwargs)(_adapt(callback, app_context, database))


class CommandGroup(click.Group):
    """A ``civicly`` command group; ``database=False`` for a group whose commands need no database."""

    def __init__(self, *args: Any, database: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.database = database

    def command(self, name: str, *, database: bool | None = None,  # type: ignore[override]
                **kwargs: Any) -> Callable[[Callable[..., Any]], click.Command]:
        """A command of the group; ``database`` overrides the group's choice for one command (one that is audited
        in a group that otherwise needs no database)."""
        uses_database = self.database if database is None else database
        return lambda callback: super(CommandGroup, self).command(name, **kwargs)(
            _adapt(callback, True, uses_database))
