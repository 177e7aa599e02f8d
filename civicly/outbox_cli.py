"""``civicly worker`` groups new cases with similar reports and sends the outbox's e-mails; ``civicly outbox`` shows
and retries the e-mails' dead letters."""
from __future__ import annotations

import signal
import time

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.exc import OperationalError

from civicly import mail
from civicly.db import get_session
from civicly.models import OutboxStatus
from civicly.triage import groups
from civicly.triage import outbox as outbox_service


GROUPING_BUDGET = 1.0  # seconds of grouping at most between two rounds of e-mails


@click.command("worker")
@click.option("--once", is_flag=True, help="Do what is due now, then stop (for cron or tests).")
@click.option("--interval", type=click.FloatRange(0.1, 3600), default=5.0, show_default=True,
              help="Seconds to wait when nothing is due.")
@click.option("--batch", type=click.IntRange(1, 1000), default=20, show_default=True, help="Messages claimed at a time.")
@with_appcontext
def worker(once: bool, interval: float, batch: int) -> None:
    """Group new cases with similar open reports, and send citizens' e-mails from the outbox (SMTP from
    CIVICLY_SMTP_*). Several workers may run at once.

    Stops cleanly on SIGTERM or Ctrl-C after the case or message in hand.
    """
    config = current_app.config
    send = mail.smtp_sender(config)
    name = mail.worker_name()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_args: stopping.append(True))
    click.echo(f"Worker {name} sending through {config['SMTP_HOST']}:{config['SMTP_PORT']}.")
    try:
        while not stopping:
            try:
                if once:
                    grouped = groups.attach_all_pending(get_session(), name)
                else:
                    grouped = _group_for_a_while(name, batch)
            except OperationalError as exc:  # database busy or unreachable: the claimed jobs are taken again later
                get_session().rollback()
                if once:
                    raise
                click.echo(f"grouping paused: {type(exc.orig).__name__}", err=True)
                grouped = 0
            done = mail.deliver_due(get_session(), config, send, name, limit=batch)
            if done.sent or done.failed or done.cancelled:
                click.echo(f"sent {done.sent}, failed {done.failed}, cancelled {done.cancelled}")
            if once:
                break
            if not (grouped or done.sent or done.failed):
                time.sleep(interval)
    except KeyboardInterrupt:
        pass


def _group_for_a_while(worker_name: str, batch: int, budget: float = GROUPING_BUDGET) -> int:
    """Group waiting cases, ``batch`` at a time, until none waits or ``budget`` seconds have passed: a round of
    e-mails (each a round trip to the SMTP server) delays grouping by one batch of them at most, and a flood of
    submissions holds the e-mails back by ``budget`` at most."""
    started, total = time.monotonic(), 0
    while True:
        done = groups.attach_pending(get_session(), worker_name, limit=batch)
        total += done
        if done < batch or time.monotonic() - started >= budget:
            return total


@click.group("outbox", cls=AppGroup)
def outbox() -> None:
    """The citizens' e-mails waiting, sent and given up."""


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
        click.echo(f"{message.id}\t{reference}\t{message.kind}\t{message.attempts}\t{message.last_error or ''}")


@outbox.command("retry")
@click.argument("message_id", type=int)
def outbox_retry(message_id: int) -> None:
    """Send dead letter MESSAGE_ID again (after fixing what made it fail)."""
    if not outbox_service.retry(get_session(), message_id):
        raise click.ClickException(f"No dead letter has id {message_id}.")
    click.echo(f"Message {message_id} will be sent again.")
