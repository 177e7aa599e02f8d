"""A USSD menu (Africa's Talking's format): choose a language, then report a problem or follow a case.

The provider posts the whole session so far at each step, the answers joined by "*" in ``text``; the answer begins
with "CON " to ask more or "END " to close. Every screen fits the 182 characters a handset shows.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from civicly.languages import LANGUAGES
from civicly.triage import intake, sms_intake

SCREEN_MAX = 182
MENU_LANGUAGES = list(LANGUAGES)  # 1 fr, 2 en, 3 ar, 4 sw
REPORT, FOLLOW = "1", "2"


@dataclass(frozen=True)
class UssdStep:
    session_id: str
    phone: str  # E.164
    text: str  # the answers so far, joined by "*"


def answer(session, step: UssdStep, route: intake.Router, config: Mapping[str, Any]) -> str:
    """The next screen: "CON …" to go on, "END …" to close."""
    answers = step.text.split("*") if step.text else []
    if not answers:
        return _screen("CON", "Civicly\n" + "\n".join(f"{n}. {name}" for n, name in
                                                      enumerate(LANGUAGES.values(), start=1)))
    locale = _chosen_language(answers[0]) or config["DEFAULT_LOCALE"]
    with force_locale(locale):
        if _chosen_language(answers[0]) is None:
            return _screen("END", _("Invalid choice. Please dial again."))
        if len(answers) == 1:
            return _screen("CON", _("1. Report a problem") + "\n" + _("2. Follow a case"))
        if answers[1] not in (REPORT, FOLLOW):
            return _screen("END", _("Invalid choice. Please dial again."))
        if len(answers) == 2:
            prompt = _("Describe the problem and the place:") if answers[1] == REPORT \
                else _("Enter your case reference (or the last 4 characters):")
            return _screen("CON", prompt)
        rest = "*".join(answers[2:])  # the citizen's own "*" stay in their text
        if answers[1] == FOLLOW:
            question = sms_intake.StatusQuestion(locale, intake.clean_text(rest))
            return _screen("END", sms_intake.answer_status(session, step.phone, question, locale).text)
        return _screen("END", _report(session, step, rest, locale, route, config))


def _report(session, step: UssdStep, text: str, locale: str, route: intake.Router,
            config: Mapping[str, Any]) -> str:
    message = sms_intake.InboundMessage(provider="africastalking", message_id=f"ussd:{step.session_id}",
                                        phone=step.phone, text=text, channel="ussd")
    result = sms_intake.file_report(session, message, intake.clean_text(text), route, config, language=locale)
    if result.reference is None:
        return result.text
    return _("Thank you. Your reference: %(reference)s. It also comes to you by SMS.", reference=result.reference)


def _chosen_language(choice: str) -> str | None:
    index = int(choice) - 1 if choice.isdigit() and len(choice) == 1 else -1
    return MENU_LANGUAGES[index] if 0 <= index < len(MENU_LANGUAGES) else None


def _screen(kind: str, body: str) -> str:
    """``kind`` and ``body``, cut to one screen (a last guard: the catalogues' screens are shorter)."""
    text = f"{kind} {body}"
    return text if len(text) <= SCREEN_MAX else text[:SCREEN_MAX - 1] + "…"
