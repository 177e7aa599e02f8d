"""``civicly users``: civil servants' accounts; passwords are asked for, never given on the command line. Every
change is recorded in the administration audit as done by the system account running the command."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app

from civicly.cli.base import CommandGroup
from civicly.db import get_session
from civicly.models import Role
from civicly.triage import accounts, admin_audit, second_factor, sessions
from civicly.triage.departments import normalise_code

users = CommandGroup("users", help="Create and manage civil servants' accounts.")


@contextmanager
def _refused_as_errors() -> Iterator[None]:
    """A change the accounts service refuses becomes a command-line error (status 1) saying why."""
    try:
        yield
    except (accounts.AccountError, accounts.WeakPassword) as exc:
        raise click.ClickException(str(exc)) from exc


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
    with _refused_as_errors():
        accounts.create_user(get_session(), email, password, Role(role), departments_, actor=admin_audit.cli_actor())
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
    """Disable the account of EMAIL at once: its sessions end, and it cannot sign in again until enabled."""
    with _refused_as_errors():
        accounts.set_active(get_session(), email, False, actor=admin_audit.cli_actor())
    click.echo(f"Disabled {accounts.normalise_email(email)}.")


@users.command("enable")
@click.argument("email")
def users_enable(email: str) -> None:
    """Let EMAIL sign in again after ``disable``."""
    with _refused_as_errors():
        accounts.set_active(get_session(), email, True, actor=admin_audit.cli_actor())
    click.echo(f"Enabled {accounts.normalise_email(email)}.")


@users.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def users_set_password(email: str, password_stdin: bool) -> None:
    """Set a new password for EMAIL (and lift any lock-out); every session of EMAIL ends."""
    password = _read_password(password_stdin)
    with _refused_as_errors():
        accounts.set_password(get_session(), email, password, actor=admin_audit.cli_actor())
    click.echo(f"Password changed for {accounts.normalise_email(email)}.")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def users_set_role(email: str, role: str) -> None:
    """Give EMAIL another ROLE; every session of EMAIL ends."""
    with _refused_as_errors():
        changed = accounts.set_role(get_session(), email, Role(role), actor=admin_audit.cli_actor())
    email = accounts.normalise_email(email)
    click.echo(f"{email} is now {role}." if changed else f"{email} was already {role}; nothing changed.")


@users.command("add-department")
@click.argument("email")
@click.argument("code")
def users_add_department(email: str, code: str) -> None:
    """Let EMAIL work the cases of ministry CODE too; every session of EMAIL ends."""
    with _refused_as_errors():
        changed = accounts.add_department(get_session(), email, code, actor=admin_audit.cli_actor())
    email, code = accounts.normalise_email(email), normalise_code(code)
    click.echo(f"{email} now works for {code}." if changed else f"{email} already worked for {code}; nothing changed.")


@users.command("supervise")
@click.argument("email")
@click.argument("code")
@click.option("--stop", is_flag=True, help="No longer a supervisor of CODE (still works for it).")
def users_supervise(email: str, code: str, stop: bool) -> None:
    """Make EMAIL a supervisor of ministry CODE: assigns its cases, sees everyone's load, manages its reply
    templates and receives its escalations."""
    with _refused_as_errors():
        changed = accounts.set_supervisor(get_session(), email, code, not stop, actor=admin_audit.cli_actor())
    email, code = accounts.normalise_email(email), normalise_code(code)
    state = "no longer supervises" if stop else "supervises"
    click.echo(f"{email} {state} {code}." if changed else f"{email} already {state} {code}; nothing changed.")


@users.command("remove-department")
@click.argument("email")
@click.argument("code")
def users_remove_department(email: str, code: str) -> None:
    """Stop EMAIL working the cases of ministry CODE (an officer keeps at least one); every session of EMAIL ends."""
    with _refused_as_errors():
        changed = accounts.remove_department(get_session(), email, code, actor=admin_audit.cli_actor())
    email, code = accounts.normalise_email(email), normalise_code(code)
    click.echo(f"{email} no longer works for {code}." if changed
               else f"{email} did not work for {code}; nothing changed.")


@users.command("sessions")
@click.argument("email")
def users_sessions(email: str) -> None:
    """Print the sessions of EMAIL still signed in, one a line: id, signed in, last seen, ends, address, browser
    (times in UTC)."""
    db_session = get_session()
    with _refused_as_errors():
        user = accounts.get_user(db_session, email)
    for row in sessions.live_sessions(db_session, user, sessions.SessionPolicy.from_config(current_app.config)):
        times = (f"{moment:%Y-%m-%d %H:%M}" for moment in (row.created_at, row.last_seen_at, row.expires_at))
        click.echo("\t".join([str(row.id), *times, row.address or "-", row.user_agent or "-"]))


@users.command("sign-out")
@click.argument("email")
@click.option("--session", "session_id", type=int, metavar="ID", help="End only this session (an id from "
              "`civicly users sessions`); without it, every session of EMAIL ends.")
def users_sign_out(email: str, session_id: int | None) -> None:
    """End the sessions of EMAIL on the server now: a browser still holding one is sent to the sign-in page."""
    with _refused_as_errors():
        ended = accounts.end_sessions(get_session(), email, actor=admin_audit.cli_actor(), session_id=session_id)
    click.echo(f"Ended {ended} session(s) of {accounts.normalise_email(email)}.")


@users.command("unlock")
@click.argument("email")
def users_unlock(email: str) -> None:
    """Lift the sign-in lock of EMAIL and forget its failed attempts (audited as user.unlock)."""
    with _refused_as_errors():
        accounts.unlock(get_session(), email, admin_audit.cli_actor())
    click.echo(f"Unlocked {accounts.normalise_email(email)}.")


@users.command("reset-2fa")
@click.argument("email")
def users_reset_second_factor(email: str) -> None:
    """Remove the second factor of EMAIL (lost phone) and its recovery codes; audited as user.2fa_reset.

    If a second factor is required of this account, its next sign-in sets up a new one before the session opens.
    """
    with _refused_as_errors():
        second_factor.reset(get_session(), email, admin_audit.cli_actor())
    click.echo(f"Second factor removed for {accounts.normalise_email(email)}.")
