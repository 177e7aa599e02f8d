"""``civicly templates``: the officers' reply templates, per ministry (or shared) and language; every change is
recorded in the administration audit as done by the system account running the command."""
from __future__ import annotations

import click

from civicly.cli.base import CommandGroup
from civicly.db import get_session
from civicly.languages import LANGUAGES
from civicly.triage import admin_audit, reply_templates

templates = CommandGroup("templates", help="Reply templates officers pick on a case page.")

_BODY_HELP = "The text; may use " + reply_templates.PLACEHOLDER_LIST + "."


def _refused(exc: reply_templates.TemplateRefused) -> click.ClickException:
    return click.ClickException(str(exc))


@templates.command("list")
def templates_list() -> None:
    """Print one template a line: id, ministry ('*' for shared), language, title."""
    for row in reply_templates.rows(get_session()):
        click.echo(f"{row.id}\t{row.department}\t{row.language}\t{row.title}")


@templates.command("add")
@click.option("--ministry", default="*", show_default=True, metavar="CODE", help="Its ministry, or * for every one.")
@click.option("--language", type=click.Choice(list(LANGUAGES)), required=True)
@click.option("--title", required=True)
@click.option("--body", required=True, help=_BODY_HELP)
def templates_add(ministry: str, language: str, title: str, body: str) -> None:
    """Add a reply template."""
    try:
        template = reply_templates.add(get_session(), ministry, language, title, body, actor=admin_audit.cli_actor())
    except reply_templates.TemplateRefused as exc:
        raise _refused(exc) from exc
    click.echo(f"Added template {template.id}.")


@templates.command("edit")
@click.argument("template_id", type=int)
@click.option("--language", type=click.Choice(list(LANGUAGES)), default=None)
@click.option("--title", default=None)
@click.option("--body", default=None, help=_BODY_HELP)
def templates_edit(template_id: int, language: str | None, title: str | None, body: str | None) -> None:
    """Change the title, text or language of template TEMPLATE_ID (only those given)."""
    try:
        reply_templates.edit(get_session(), template_id, actor=admin_audit.cli_actor(), title=title, body=body,
                             language=language)
    except reply_templates.TemplateRefused as exc:
        raise _refused(exc) from exc
    click.echo(f"Changed template {template_id}.")


@templates.command("remove")
@click.argument("template_id", type=int)
def templates_remove(template_id: int) -> None:
    """Remove template TEMPLATE_ID."""
    try:
        reply_templates.remove(get_session(), template_id, actor=admin_audit.cli_actor())
    except reply_templates.TemplateRefused as exc:
        raise _refused(exc) from exc
    click.echo(f"Removed template {template_id}.")
