"""Writing and sending the outbox's e-mails: templates in the citizen's language, SMTP from CIVICLY_SMTP_* settings.

``civicly worker`` runs ``deliver_due`` in a loop; the outbox rules (claims, leases, retries) live in triage.outbox.
"""
from __future__ import annotations

import logging
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from civicly.i18n import STATUS_LABELS
from civicly.languages import LANGUAGES
from civicly.models import Case
from civicly.triage import escalation, outbox

log = logging.getLogger(__name__)

Send = Callable[[EmailMessage], None]


class PermanentFailure(Exception):
    """The mail server refused the message for good (for example an unknown mailbox): no point retrying."""


class TemporaryFailure(Exception):
    """The mail server refused the message for now (4xx): retried with back-off."""


ENHANCED_STATUS = re.compile(r"\b[245]\.\d{1,3}\.\d{1,3}\b")


def refusal(code: int, reason: str, *replies: bytes | str) -> str:
    """An SMTP refusal as stored in the outbox and shown to admins: the code, the enhanced status codes (such as
    5.1.1) and a generic reason. The server's own words are left out: they usually quote the recipient's address."""
    text = " ".join(reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply) for reply in replies)
    statuses = sorted(set(ENHANCED_STATUS.findall(text)))
    return " ".join((str(code), *statuses, reason))


@dataclass(frozen=True)
class Round:
    """What one pass of the worker did."""

    sent: int = 0
    failed: int = 0
    cancelled: int = 0


def subject(kind: str, reference: str) -> str:
    return {
        "acknowledgement": _("We received your message (%(reference)s)", reference=reference),
        "reply": _("An answer about your case %(reference)s", reference=reference),
        "status": _("News about your case %(reference)s", reference=reference),
        "closure": _("Your case %(reference)s is closed", reference=reference),
    }[kind]


def compose(delivery: outbox.Delivery, config: Mapping[str, Any], duplicate_of: str | None = None) -> EmailMessage:
    """The e-mail for one outbox row, in the case's language (else the default locale)."""
    message, case, event = delivery.message, delivery.case, delivery.event
    locale = message.language if message.language in LANGUAGES else config["DEFAULT_LOCALE"]
    status = (event.after.get("status") if event else None) or case.status
    with force_locale(locale):
        # Rendered without the web pages' context processors: there is no request, and no signed-in user.
        body = current_app.jinja_env.get_template(f"mail/{message.kind}.txt").render(
            case=case, event=event, status=status, duplicate_of=duplicate_of,
            status_label=lambda value: STATUS_LABELS.get(value, value),
            tracking_url=f"{config['PUBLIC_URL']}/track/{case.reference}")
        email = EmailMessage()
        email["Subject"] = subject(message.kind, case.reference)
    return _finish(email, body, case.contact_email, message.idempotency_key, config, locale)


DIGEST_LEVELS = {
    "warning": _l("deadline close, no public answer yet"),
    "overdue": _l("overdue, no public answer yet"),
    "reopened": _l("reopened by the citizen"),
}


def compose_digest(session: Session, delivery: outbox.Delivery, config: Mapping[str, Any]) -> EmailMessage:
    """A civil servant's digest: the cases needing their attention, each with a link to its page, in the default
    language (staff accounts have no language of their own)."""
    lines = escalation.digest_lines(session, delivery.message.id)
    with force_locale(config["DEFAULT_LOCALE"]):
        body = current_app.jinja_env.get_template("mail/digest.txt").render(
            lines=lines, level_label=lambda level: DIGEST_LEVELS.get(level, level),
            case_url=lambda reference: f"{config['PUBLIC_URL']}/officer/cases/{reference}")
        email = EmailMessage()
        email["Subject"] = ngettext("%(num)d case needs your attention", "%(num)d cases need your attention",
                                    len(lines))
    return _finish(email, body, delivery.recipient.email, delivery.message.idempotency_key, config,
                   config["DEFAULT_LOCALE"])


def _finish(email: EmailMessage, body: str, to: str, idempotency_key: str, config: Mapping[str, Any],
            locale: str) -> EmailMessage:
    email["From"] = config["SMTP_FROM"]
    email["To"] = to
    email["Date"] = formatdate(localtime=False)
    # The same for every attempt, so a repeat after a crash is recognisable as one.
    host = urlsplit(config["PUBLIC_URL"]).hostname or "civicly"
    email["Message-ID"] = f"<{idempotency_key.replace(':', '.')}@{host}>"
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(body)
    email["Content-Language"] = locale  # after set_content, which resets the Content-* headers
    return email


def address_of(delivery: outbox.Delivery) -> str | None:
    """Where the message goes: the citizen's address on the case, or the active civil servant's for a digest."""
    if delivery.message.kind == outbox.DIGEST:
        return delivery.recipient.email if delivery.recipient and delivery.recipient.active else None
    return delivery.case.contact_email if delivery.case else None


def smtp_sender(config: Mapping[str, Any]) -> Send:
    """Send one message per connection: simple, and a broken connection never strands a batch.

    The TLS context (certificate store loaded from disk, tens of milliseconds of CPU) is built
    once per sender, and only when the connection uses TLS."""
    security = config["SMTP_SECURITY"]
    context = ssl.create_default_context() if security in ("tls", "starttls") else None

    def send(email: EmailMessage) -> None:
        host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
        try:
            if security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
            else:
                client = smtplib.SMTP(host, port, timeout=timeout)
            with client:
                if security == "starttls":
                    client.starttls(context=context)
                if config["SMTP_USERNAME"]:
                    client.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
                client.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _reply in exc.recipients.values()})
            raise PermanentFailure(refusal(codes[0] if codes else 550, "recipient refused",
                                           *(reply for _code, reply in exc.recipients.values()))) from exc
        except smtplib.SMTPResponseException as exc:
            reason = "sender refused" if isinstance(exc, smtplib.SMTPSenderRefused) else "refused by the mail server"
            failure = refusal(exc.smtp_code, reason, exc.smtp_error)
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(failure) from exc
            raise TemporaryFailure(failure) from exc

    return send


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def deliver_due(session: Session, config: Mapping[str, Any], send: Send, worker: str, limit: int = 20) -> Round:
    """Claim the due messages, send each, and record the outcome; one failure never stops the others."""
    sent = failed = cancelled = 0
    for message_id in outbox.claim(session, worker, limit=limit):
        delivery = outbox.delivery(session, message_id, worker)
        if delivery is None:
            continue  # the lease ran out meanwhile: another worker owns it now
        if not address_of(delivery):
            outbox.mark_cancelled(session, message_id, worker, "the account was disabled"
                                  if delivery.message.kind == outbox.DIGEST else "the citizen's address was erased")
            cancelled += 1
            continue
        try:
            if delivery.message.kind == outbox.DIGEST:
                send(compose_digest(session, delivery, config))
            else:
                original = session.get(Case, delivery.case.duplicate_of_id) if delivery.case.duplicate_of_id else None
                send(compose(delivery, config, original.reference if original else None))
        except PermanentFailure as exc:
            outbox.mark_failed(session, message_id, worker, str(exc), permanent=True,
                               max_attempts=config["OUTBOX_MAX_ATTEMPTS"])
            failed += 1
        except TemporaryFailure as exc:
            outbox.mark_failed(session, message_id, worker, str(exc), max_attempts=config["OUTBOX_MAX_ATTEMPTS"])
            failed += 1
        except Exception as exc:  # network, TLS, template: retried with back-off, then a dead letter
            outbox.mark_failed(session, message_id, worker, f"{type(exc).__name__}: {exc}",
                               max_attempts=config["OUTBOX_MAX_ATTEMPTS"])
            failed += 1
        else:
            if not outbox.mark_sent(session, message_id, worker):
                log.error("outbox message %s was sent but its lease had passed to another worker", message_id)
            sent += 1
    return Round(sent, failed, cancelled)
