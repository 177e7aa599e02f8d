"""``civicly privacy``: personal data over time, and citizens' requests for their data or its erasure."""
from __future__ import annotations

import json
from datetime import datetime

import click
from flask import current_app

from civicly.cli.base import CommandGroup
from civicly.db import get_session
from civicly.errors import UnknownReference
from civicly.references import case_by_reference
from civicly.triage import admin_audit, erasure, reredaction, retention

privacy = CommandGroup("privacy", help="Retention, and citizens' access to their data and its erasure.")


@privacy.command("purge")
@click.option("--closed-before", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Erase personal data of cases closed before this date "
                   "(default: today minus the retention period).")
@click.option("--dry-run", is_flag=True, help="Only say how many cases would be purged.")
def purge(closed_before: datetime | None, dry_run: bool) -> None:
    """Erase the personal data of closed cases older than the retention period, as `privacy erase` does."""
    day = closed_before.date() if closed_before else None
    cutoff = retention.purge_cutoff(current_app.config["RETENTION_DAYS"], day)
    if dry_run:
        count = retention.count_purgeable(get_session(), cutoff)
        click.echo(f"{count} case(s) closed before {cutoff:%Y-%m-%d} still hold personal data.")
        return
    count = retention.purge_closed_cases(get_session(), cutoff, actor=admin_audit.cli_actor())
    click.echo(f"Erased the personal data of {count} case(s) closed before {cutoff:%Y-%m-%d}.")


@privacy.command("export")
@click.argument("reference")
def export(reference: str) -> None:
    """Print, as JSON, everything held about the case REFERENCE (a citizen's request for their data)."""
    try:
        data = retention.export_personal_data(get_session(), reference, admin_audit.cli_actor())
    except UnknownReference as exc:
        raise click.ClickException(f"No case has reference {reference}.") from exc
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@privacy.command("erase")
@click.argument("reference", required=False)
@click.option("--email", default="", help="Erase every case left with this e-mail address.")
@click.option("--phone", default="", help="Erase every case left with this phone number (however it was written).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(reference: str | None, email: str, phone: str, yes: bool) -> None:
    """Erase a citizen's personal data: the case REFERENCE, or all cases of one --email or --phone.

    A skeleton stays for statistics (ministry, status, urgency, channel, language, dates); each case is audited.
    """
    if bool(reference) + bool(email) + bool(phone) != 1:
        raise click.UsageError("Give one of REFERENCE, --email or --phone.")
    session = get_session()
    if reference:
        try:
            cases = [case_by_reference(session, reference)]
        except UnknownReference as exc:
            raise click.ClickException(f"No case has reference {reference}.") from exc
    else:
        cases = erasure.cases_of_person(session, email=email, phone=phone)
        if not cases:
            raise click.ClickException("No case holds this e-mail address or phone number.")
    references = ", ".join(case.reference for case in cases)
    if not yes:
        click.confirm(f"Erase the personal data of {len(cases)} case(s) ({references})? This cannot be undone.",
                      abort=True)
    actor = admin_audit.cli_actor()
    for case in cases:
        erasure.erase_case(session, case, actor)
    click.echo(f"Erased the personal data of {len(cases)} case(s): {references}.")


@privacy.command("reredact")
def reredact() -> None:
    """Redact stored cases, training labels and survey comments again with today's rules (after an upgrade)."""
    session = get_session()
    done = reredaction.reredact(session)
    admin_audit.record(session, admin_audit.cli_actor(), "privacy.reredact", "cases",
                       cases_read=done.cases_read, cases_changed=done.cases_changed,
                       labels_changed=done.labels_changed, comments_changed=done.comments_changed)
    click.echo(f"{done.cases_read} case(s) read: the redacted text of {done.cases_changed} changed, "
               f"{done.labels_changed} training label(s) and {done.comments_changed} survey comment(s) with it.")
