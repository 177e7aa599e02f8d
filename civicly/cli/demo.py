"""``civicly seed-demo``: the demo ministries, deadlines and holidays, and optionally demo cases."""
from __future__ import annotations

import click
from flask import current_app

from civicly import classify
from civicly.cli.base import command
from civicly.db import get_session
from civicly.triage import demo


@command("seed-demo")
@click.option("--cases", type=click.IntRange(0, 20000), default=0, show_default=True,
              help="Also file this many demo cases from the texts in data/*.csv, once (skipped if already loaded).")
def seed_demo(cases: int) -> None:
    """Load the demo ministries, deadlines and holidays, reply templates and a supervisor, and optionally demo
    cases. Safe to run twice."""
    seeded = demo.seed(get_session(), cases, classify.route, country=current_app.config["COUNTRY"])
    click.echo(f"Demo ministries: {seeded.ministries_added} added, {seeded.ministries_present} already present.")
    click.echo(f"Demo deadlines: {seeded.service_levels} service levels and {seeded.holidays} holidays added.")
    if seeded.cases is None:
        click.echo("Demo cases: already loaded.")
    elif cases:
        click.echo(f"Demo cases: {seeded.cases} filed.")
    if seeded.templates:
        click.echo(f"Demo reply templates: {seeded.templates} added.")
    if seeded.supervisor_password:
        click.echo(f"Demo supervisor of {demo.DEMO_SUPERVISED}: {demo.DEMO_SUPERVISOR}, password "
                   f"{seeded.supervisor_password} (shown once; change it with civicly users set-password).")
