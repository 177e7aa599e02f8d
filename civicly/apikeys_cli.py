"""``civicly apikeys``: keys for systems that file requests through the Open311 API."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from civicly.db import get_session
from civicly.errors import CivicError
from civicly.triage import apikeys


@click.group("apikeys", cls=AppGroup)
def apikeys_group() -> None:
    """Create, list and revoke Open311 API keys."""


@apikeys_group.command("create")
@click.argument("name")
def create(name: str) -> None:
    """Create a key for the system NAME and print it once: only its hash is kept."""
    try:
        issued = apikeys.create_key(get_session(), name)
    except CivicError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Key for {issued.record.name} (prefix {issued.record.prefix}). Copy it now, it is not shown again:")
    click.echo(issued.secret)


@apikeys_group.command("list")
def list_() -> None:
    """Print one key a line: prefix, name, created, last used, and 'revoked' when revoked."""
    for key in apikeys.list_keys(get_session()):
        used = key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else "never used"
        state = f"\trevoked {key.revoked_at.isoformat(timespec='seconds')}" if key.revoked_at else ""
        click.echo(f"{key.prefix}\t{key.name}\t{key.created_at.isoformat(timespec='seconds')}\t{used}{state}")


@apikeys_group.command("revoke")
@click.argument("prefix_or_name")
def revoke(prefix_or_name: str) -> None:
    """Revoke the key with this PREFIX (as listed) or every active key of this NAME."""
    try:
        revoked = apikeys.revoke_key(get_session(), prefix_or_name)
    except apikeys.UnknownApiKey as exc:
        raise click.ClickException(f"No active key has prefix or name {prefix_or_name!r}.") from exc
    for key in revoked:
        click.echo(f"Revoked {key.prefix} ({key.name}).")
