"""``civicly users``: civil servants' accounts; passwords are asked for, never given on the command line."""
from __future__ import annotations

import sys

import click

from civicly.cli.base import CommandGroup
from civicly.db import get_session
from civicly.models import Role
from civicly.triage import accounts, admin_audit, second_factor

users = CommandGroup("users", help="Create and manage civil servants' accounts.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.officer.value, show_default=True,
              help="officer: their ministries' cases; triage: the manual triage queue; admin: everything, read-only.")
@click.option("--department", "departments_", multiple=True, metavar="CODE",
              help="A ministry this person works for (repeat for several).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def users_create(email: str, role: str, departments_: tuple[str, ...], password_stdin: bool) -> None:
    """Create an account for EMAIL; the password is asked for (never given on the command line)."""
    password = _read_password(password_stdin)
    try:
        accounts.create_user(get_session(), email, password, Role(role), departments_)
    except (accounts.AccountError, accounts.WeakPassword) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {role} {accounts.normalise_email(email)}.")


@users.command("list")
def users_list() -> None:
    """Print one account a line: e-mail, role, ministries, and 'disabled' when disabled."""
    for user, codes in accounts.list_users(get_session()):
        state = "" if user.active else "\tdisabled"
        click.echo(f"{user.email}\t{user.role}\t{','.join(codes) or '-'}{state}")


@users.command("disable")
@click.argument("email")
def users_disable(email: str) -> None:
    """Disable the account of EMAIL at once (it is signed out on its next request)."""
    try:
        accounts.set_active(get_session(), email, False)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Disabled {accounts.normalise_email(email)}.")


@users.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def users_set_password(email: str, password_stdin: bool) -> None:
    """Set a new password for EMAIL (and lift any lock-out)."""
    password = _read_password(password_stdin)
    try:
        accounts.set_password(get_session(), email, password)
    except (accounts.AccountError, accounts.WeakPassword) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Password changed for {accounts.normalise_email(email)}.")


@users.command("unlock")
@click.argument("email")
def users_unlock(email: str) -> None:
    """Lift the sign-in lock of EMAIL and forget its failed attempts (audited as user.unlock)."""
    try:
        accounts.unlock(get_session(), email, admin_audit.cli_actor())
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Unlocked {accounts.normalise_email(email)}.")


@users.command("reset-2fa")
@click.argument("email")
def users_reset_second_factor(email: str) -> None:
    """Remove the second factor of EMAIL (lost phone) and its recovery codes; audited as user.2fa_reset.

    If a second factor is required of this account, its next sign-in sets up a new one before the session opens.
    """
    try:
        second_factor.reset(get_session(), email, admin_audit.cli_actor())
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Second factor removed for {accounts.normalise_email(email)}.")
