"""What Civicly writes to a phone, in the citizen's language: receipts, status and reopening answers and the outbox's
news.

A receipt fits one SMS in every language: 160 GSM-7 characters (so the French avoids letters such as "ç" that GSM-7
lacks), or 70 UCS-2 characters in Arabic (tests/channels check each catalogue).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from civicly.classify import detected_language
from civicly.i18n import STATUS_LABELS
from civicly.languages import LANGUAGES


def language_of(text: str, known: str | None = None, config: Mapping[str, Any] | None = None) -> str:
    """The language to answer in: ``known`` if Civicly speaks it, else the text's (detected offline), else the
    configured default."""
    if known in LANGUAGES:
        return known
    detected = detected_language(text) if text else None
    if detected in LANGUAGES:
        return detected
    return (config or current_app.config)["DEFAULT_LOCALE"]


def receipt(reference: str, locale: str) -> str:
    """The answer to a report: its reference, and how to follow it."""
    with force_locale(locale):
        return _("Received. Your reference: %(reference)s. Send it to us to follow your case.", reference=reference)


def added(reference: str, locale: str) -> str:
    """The answer to the next part of a long message, joined to the case the first part opened."""
    with force_locale(locale):
        return _("Added to your case %(reference)s.", reference=reference)


def status(reference: str, status_value: str, ministry: str | None, locale: str) -> str:
    """A case's public status and ministry: nothing else about it."""
    with force_locale(locale):
        label = str(STATUS_LABELS.get(status_value, status_value))
        if ministry:
            return _("%(reference)s: %(status)s. Ministry: %(ministry)s.", reference=reference, status=label,
                     ministry=ministry)
        return _("%(reference)s: %(status)s. Not yet with a ministry.", reference=reference, status=label)


def unknown_reference(locale: str) -> str:
    with force_locale(locale):
        return _("No case of yours has this reference. Check it and send it again.")


def reopened(reference: str, locale: str) -> str:
    """The answer to "NO <reference> <reason>" that reopened a closed case."""
    with force_locale(locale):
        return _("Your case %(reference)s is reopened. The ministry will look at it again.", reference=reference)


def reopen_reason_needed(reference: str, locale: str) -> str:
    """A "NO" without a reason: the reason is what the officer needs to act again."""
    with force_locale(locale):
        return _("To reopen %(reference)s, send NO, the reference and why it is not solved.", reference=reference)


def reopen_not_yours(locale: str) -> str:
    with force_locale(locale):
        return _("Only the phone that sent this case can reopen it.")


def reopen_still_open(reference: str, locale: str) -> str:
    with force_locale(locale):
        return _("Your case %(reference)s is still open: there is nothing to reopen.", reference=reference)


def reopen_too_late(reference: str, days: int, locale: str) -> str:
    with force_locale(locale):
        return _("Your case %(reference)s was closed over %(days)s days ago. Please send a new report.",
                 reference=reference, days=days)


def reopen_noted(reference: str, locale: str) -> str:
    """A "No" to a case that cannot reopen (merged into another): the answer is kept all the same."""
    with force_locale(locale):
        return _("Your answer about %(reference)s is noted. This case cannot be reopened.", reference=reference)


def refused(reasons: Iterable[object], locale: str) -> str:
    """A report that cannot be filed as sent (empty, too short, too long): why (intake's own words, translated)."""
    with force_locale(locale):
        return _("Your message was not filed: %(reason)s", reason=" ".join(str(reason) for reason in reasons))


def slow_down(locale: str) -> str:
    with force_locale(locale):
        return _("Too many messages from this number. Please try again later.")


def notification(kind: str, reference: str, status_value: str, message: str | None, locale: str) -> str:
    """The outbox's news for an SMS row of ``kind`` (sms_ack, sms_reply, sms_status, sms_closure)."""
    if kind == "sms_ack":
        return receipt(reference, locale)
    with force_locale(locale):
        label = str(STATUS_LABELS.get(status_value, status_value))
        if kind == "sms_reply":
            return _("Answer about your case %(reference)s: %(message)s", reference=reference, message=message or "")
        if kind == "sms_status":
            return _("Your case %(reference)s is now: %(status)s.", reference=reference, status=label)
        return _("Your case %(reference)s is closed: %(status)s.", reference=reference, status=label)
