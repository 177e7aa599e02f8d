"""The ``civicly`` command: one module per group of commands, each command a thin adapter over a service."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup

from civicly import create_app
from civicly.cli import (
    apikeys,
    audit,
    check,
    db,
    deadlines,
    demo,
    departments,
    export,
    model,
    privacy,
    templates,
    users,
    worker,
)


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True,
             help="Civicly: citizen-feedback triage. Settings come from CIVICLY_* environment variables.")
def main() -> None:
    """Entry point of the ``civicly`` console script."""


for command in (db.db, users.users, departments.departments, apikeys.apikeys, deadlines.sla, deadlines.holidays,
                model.model, worker.worker, worker.outbox, privacy.privacy, export.export, audit.audit, demo.seed_demo,
                check.check, templates.templates):
    main.add_command(command)
