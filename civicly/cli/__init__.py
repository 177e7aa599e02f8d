"""The ``civicly`` command: one module per group of commands, each command a thin adapter over a service."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup

from civicly import create_app
from civicly.cli import apikeys, check, db, deadlines, demo, departments, export, model, privacy, users, worker


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True,
             help="Civicly: citizen-feedback triage. Settings come from CIVICLY_* environment variables.")
def main() -> None:
    """Entry point of the ``civicly`` console script."""


main.add_command(db.db)
main.add_command(users.users)
main.add_command(departments.departments)
main.add_command(apikeys.apikeys)
main.add_command(deadlines.sla)
main.add_command(deadlines.holidays)
main.add_command(model.model)
main.add_command(worker.worker)
main.add_command(worker.outbox)
main.add_command(privacy.privacy)
main.add_command(export.export)
main.add_command(demo.seed_demo)
main.add_command(check.check)
