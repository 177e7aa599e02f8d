"""``civicly worker`` routes cases stored before routing, groups new cases with similar reports, sends the outbox's
e-mails and retrains the model; ``civicly outbox`` shows and retries the e-mails' dead letters."""
from __future__ import annotations

import click
from flask import current_app

from civicly import mail
from civicly.cli.base import CommandGroup, command
from civicly.db import get_session
from civicly.models import OutboxStatus
from civicly.triage import outbox as outbox_service
from civicly.triage import worker as worker_loop


@command("worker")
@click.option("--once", is_flag=True, help="Do what is due now, then stop (for cron or tests).")
@click.option("--interval", type=click.FloatRange(0.1, 3600), default=5.0, show_default=True,
              help="Seconds to wait when nothing is due.")
@click.option("--batch", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Messages or cases claimed at a time.")
def worker(once: bool, interval: float, batch: int) -> None:
    """Route the cases the web form and Open311 stored before routing (CIVICLY_ROUTING=worker), group new cases
    with similar open reports, send citizens' e-mails from the outbox (SMTP from CIVICLY_SMTP_*), delete officers'
    sessions that ended, and retrain the routing model after CIVICLY_RETRAIN_AFTER_LABELS new officers' decisions
    (once a day at most). Several workers may run at once.

    Stops cleanly on SIGTERM or Ctrl-C after the case or message in hand.
    """
    config = current_app.config
    name = mail.worker_name()
    click.echo(f"Worker {name} sending through {config['SMTP_HOST']}:{config['SMTP_PORT']}.")
    worker_loop.run(get_session(), config, mail.smtp_sender(config), name, batch, interval, once, click.echo)


outbox = CommandGroup("outbox", help="The citizens' e-mails and SMS waiting, sent and given up.")


@outbox.command("status")
def outbox_status() -> None:
    """Count messages in each state."""
    for status, count in outbox_service.counts(get_session()).items():
        click.echo(f"{status}\t{count}")


@outbox.command("list")
@click.option("--status", type=click.Choice([s.value for s in OutboxStatus]), default=OutboxStatus.dead.value,
              show_default=True)
def outbox_list(status: str) -> None:
    """Print one message a line: id, case, kind, attempts, last error."""
    for message, reference in outbox_service.list_messages(get_session(), status):
        click.echo(f"{message.id}\t{reference or '-'}\t{message.kind}\t{message.attempts}\t{message.last_error or ''}")


@outbox.command("retry")
@click.argument("message_id", type=int)
def outbox_retry(message_id: int) -> None:
    """Send dead letter MESSAGE_ID again (after fixing what made it fail)."""
    if not outbox_service.retry(get_session(), message_id):
        raise click.ClickException(f"No dead letter has id {message_id}.")
    click.echo(f"Message {message_id} will be sent again.")
