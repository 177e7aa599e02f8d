"""``civicly check``: validate the configuration before serving, with a message for each thing to fix."""
from __future__ import annotations

import click
from flask.cli import ScriptInfo

from civicly.cli.base import command
from civicly.config import ConfigError
from civicly.db import get_engine
from civicly.ops import readiness


# Loads the app itself, so that a configuration it refuses is reported as a message rather than a traceback.
@command("check", app_context=False)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, envvar="WEB_CONCURRENCY",
              help="Worker processes the server will run (default: $WEB_CONCURRENCY, as gunicorn.conf.py reads it).")
@click.pass_context
def check(ctx: click.Context, workers: int) -> None:
    """Check settings, database, migrations, routing model and rate-limit storage; exit 1 if anything is wrong."""
    try:
        app = ctx.ensure_object(ScriptInfo).load_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    with app.app_context():
        checks = readiness.serve_checks(app.config, get_engine(), workers)
    for item in checks:
        version = f" [{item.version}]" if item.version else ""
        hint = f"\n    -> {item.hint}" if item.hint and not item.ok else ""
        click.echo(f"{'ok  ' if item.ok else 'FAIL'}  {item.name}: {item.detail}{version}{hint}")
    failed = [item.name for item in checks if not item.ok]
    if failed:
        raise click.ClickException(f"not ready to serve: {', '.join(failed)}.")
    click.echo("Ready to serve.")
