"""``civicly apikeys``: keys for systems that file requests through the Open311 API."""
from __future__ import annotations

import click

from civicly.cli.base import CommandGroup
from civicly.db import get_session
from civicly.errors import CivicError
from civicly.triage import admin_audit
from civicly.triage import apikeys as keys

apikeys = CommandGroup("apikeys", help="Create, list and revoke Open311 API keys.")


@apikeys.command("create")
@click.argument("name")
def create(name: str) -> None:
    """Create a key for the system NAME and print it once: only its hash is kept."""
    try:
        issued = keys.create_key(get_session(), name, actor=admin_audit.cli_actor())
    except CivicError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Key for {issued.record.name} (prefix {issued.record.prefix}). Copy it now, it is not shown again:")
    click.echo(issued.secret)


@apikeys.command("list")
def list_() -> None:
    """Print one key a line: prefix, name, created, last used, and 'revoked' when revoked."""
    for key in keys.list_keys(get_session()):
        used = key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else "never used"
        state = f"\trevoked {key.revoked_at.isoformat(timespec='seconds')}" if key.revoked_at else ""
        click.echo(f"{key.prefix}\t{key.name}\t{key.created_at.isoformat(timespec='seconds')}\t{used}{state}")


@apikeys.command("revoke")
@click.argument("prefix_or_name")
def revoke(prefix_or_name: str) -> None:
    """Revoke the key with this PREFIX (as listed) or every active key of this NAME."""
    try:
        revoked = keys.revoke_key(get_session(), prefix_or_name, actor=admin_audit.cli_actor())
    except keys.UnknownApiKey as exc:
        raise click.ClickException(f"No active key has prefix or name {prefix_or_name!r}.") from exc
    for key in revoked:
        click.echo(f"Revoked {key.prefix} ({key.name}).")
