"""The worker's SMS round: claim the outbox's due SMS, write each in the citizen's language, hand it to the provider,
and record the outcome (the outbox's rules: leases, retries, dead letters). Without a configured provider nothing
is claimed: SMS wait in the outbox, as e-mails do without a mail server."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from civicly.languages import LANGUAGES
from civicly.mail import Round
from civicly.sms import providers, texts
from civicly.triage import outbox

log = logging.getLogger(__name__)


def compose(delivery: outbox.Delivery, config: Mapping[str, Any]) -> str:
    """The text of one outbox SMS, in the case's language (else the default locale)."""
    message, case, event = delivery.message, delivery.case, delivery.event
    locale = message.language if message.language in LANGUAGES else config["DEFAULT_LOCALE"]
    status = (event.after.get("status") if event else None) or case.status
    return texts.notification(message.kind, case.reference, status, event.message if event else None, locale)


def deliver_due(session: Session, config: Mapping[str, Any], worker: str, limit: int = 20,
                provider: providers.Provider | None = None) -> Round:
    """Claim the due SMS, send each, and record the outcome; one failure never stops the others."""
    provider = provider or providers.from_config(config)
    if provider is None:
        return Round()
    sent = failed = cancelled = 0
    for message_id in outbox.claim(session, worker, limit=limit, kinds=outbox.SMS_KINDS):
        delivery = outbox.delivery(session, message_id, worker)
        if delivery is None:
            continue  # the lease ran out meanwhile: another worker owns it now
        case = delivery.case
        if not case.contact_phone:
            outbox.mark_cancelled(session, message_id, worker, "the citizen's number was erased")
            cancelled += 1
            continue
        try:
            provider_id = provider.send(providers.OutgoingSms(case.contact_phone, compose(delivery, config),
                                                              whatsapp=case.channel == "whatsapp"))
        except providers.PermanentFailure as exc:
            outbox.mark_failed(session, message_id, worker, str(exc), permanent=True,
                               max_attempts=config["OUTBOX_MAX_ATTEMPTS"])
            failed += 1
        except Exception as exc:  # temporary refusals, network, a template: retried with back-off, then dead
            outbox.mark_failed(session, message_id, worker, f"{type(exc).__name__}: {exc}",
                               max_attempts=config["OUTBOX_MAX_ATTEMPTS"])
            failed += 1
        else:
            if not outbox.mark_sent(session, message_id, worker, provider_message_id=provider_id):
                log.error("outbox SMS %s was sent but its lease had passed to another worker", message_id)
            sent += 1
    return Round(sent, failed, cancelled)


def send_answer(config: Mapping[str, Any], phone: str, text: str) -> bool:
    """Send a short answer that belongs to no case's history (a status asked by SMS, a refused report) right away,
    when the provider does not carry our HTTP answer to the phone; the citizen may ask again if it fails."""
    provider = providers.from_config(config)
    if provider is None:
        return False
    try:
        provider.send(providers.OutgoingSms(phone, text))
    except Exception as exc:  # nothing is lost: no case depends on it
        log.warning("an SMS answer could not be sent: %s", type(exc).__name__)
        return False
    return True
