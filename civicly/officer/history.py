"""A case's history as the officer reads it: each Event told as a sentence in the officer's language, with who did
it, instead of its raw before/after values. The model's verdicts read as "model 2026-12-01…, 96 %"."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import format_date, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from civicly.i18n import EVENT_LABELS, STATUS_LABELS, URGENCY_LABELS
from civicly.languages import LANGUAGES
from civicly.models import Event

CHANNELS = {"web": _l("the web form"), "open311": _l("a partner application (Open311)"), "sms": _l("SMS"),
            "ussd": _l("USSD"), "whatsapp": _l("WhatsApp"), "import": _l("an import"), "demo": _l("the demo data")}
TRIAGE_REASONS = {
    "low_confidence": _l("confidence below the automatic routing threshold for this language"),
    "language_not_auto_routed": _l("the model is not yet accurate enough in this language to route any text "
                                   "automatically"),
    "too_short": _l("text too short to judge"),
    "unfamiliar_words": _l("most of its words are unknown to the model"),
    "unsupported_language": _l("a language the model was not trained on"),
    "model_unavailable": _l("no model was available"),
}


@dataclass(frozen=True)
class HistoryLine:
    """One line of the history: when, who, the sentence, and the message written (a reply, a note, a reason)."""

    at: datetime
    who: str
    sentence: str
    public: bool
    message: str | None


def lines(events: list[Event], ministries: Mapping[str, str]) -> list[HistoryLine]:
    """The history told in the current language; ``ministries`` gives each ministry code its name."""
    return [HistoryLine(e.created_at, who(e.actor), sentence(e, ministries), e.public, e.message) for e in events]


def who(actor: str) -> str:
    if actor.startswith("citizen"):
        return _("the citizen")
    if actor.startswith("model:"):
        return _("the routing model")
    if actor == "system":
        return "Civicly"
    return actor


def model_verdict(version: str, confidence: float | None) -> str:
    """"model 2026-12-01…, 96 %": which version decided, and how sure it was."""
    if confidence is None:
        return _("model %(version)s", version=version)
    return _("model %(version)s, %(confidence)s", version=version, confidence=format_percent(confidence))


def _status(value: Any) -> str:
    return str(STATUS_LABELS.get(value, value or "—"))


def _urgency(value: Any) -> str:
    return str(URGENCY_LABELS.get(value, _("not set")))


def _routed(e: Event, ministry: Callable[[Any], str]) -> str:
    after = e.after
    if after.get("chosen_by") == "sender":
        return _("Sent to %(ministry)s, the service the citizen chose.", ministry=ministry(after.get("department")))
    verdict = model_verdict(e.actor.removeprefix("model:"), after.get("confidence"))
    return _("Sent to %(ministry)s by the %(verdict)s.", ministry=ministry(after.get("department")), verdict=verdict)


def _triage(e: Event, _ministry: Callable[[Any], str]) -> str:
    reason = str(TRIAGE_REASONS.get(e.after.get("triage_reason"), e.after.get("triage_reason") or "—"))
    if e.actor.startswith("model:"):
        verdict = model_verdict(e.actor.removeprefix("model:"), e.after.get("confidence"))
        return _("Left for manual triage by the %(verdict)s: %(reason)s.", verdict=verdict, reason=reason)
    return _("Left for manual triage: %(reason)s.", reason=reason)


def _escalation(e: Event, _ministry: Callable[[Any], str]) -> str:
    people = _joined(e.after.get("to"))
    if e.after.get("level") == "overdue":
        return _("Overdue without a public answer: %(people)s alerted.", people=people)
    if e.after.get("level") == "reopened":
        return _("Reopened by the citizen: %(people)s alerted.", people=people)
    return _("Deadline close without a public answer: %(people)s alerted.", people=people)


def _joined(values: Any) -> str:
    """A list the event stored, comma-separated; anything else (erased) as it is."""
    if isinstance(values, list):
        return ", ".join(str(value) for value in values) or "—"
    return str(values or "—")


def _date(value: Any) -> str:
    """A date the event stored as ISO text, in the reader's language; anything else (erased) as it is."""
    try:
        return format_date(datetime.fromisoformat(value), "medium")
    except (TypeError, ValueError):
        return str(value or "—")


def _reopened(e: Event, _ministry: Callable[[Any], str]) -> str:
    return _("Reopened by the citizen, who says it is not solved (time %(times)s); new deadline %(date)s.",
             times=e.after.get("times", 1), date=_date(e.after.get("deadline")))


SENTENCES: dict[str, Callable[[Event, Callable[[Any], str]], str]] = {
    "submitted": lambda e, m: _("Received through %(channel)s, in %(language)s.",
                                channel=str(CHANNELS.get(e.after.get("channel"), e.after.get("channel") or "—")),
                                language=LANGUAGES.get(e.after.get("language") or "", _("an unknown language"))),
    "routed": _routed,
    "triage": _triage,
    "reassigned": lambda e, m: _("Transferred from %(before)s to %(after)s: %(reason)s.",
                                 before=m(e.before.get("department")), after=m(e.after.get("department")),
                                 reason=e.after.get("reason") or "—"),
    "confirmed": lambda e, m: _("Routing to %(ministry)s and urgency (%(urgency)s) confirmed.",
                                ministry=m(e.after.get("department")), urgency=_urgency(e.after.get("urgency"))),
    "urgency": lambda e, m: _("Urgency changed from %(before)s to %(after)s: %(reason)s.",
                              before=_urgency(e.before.get("urgency")), after=_urgency(e.after.get("urgency")),
                              reason=e.after.get("reason") or "—"),
    "surge": lambda e, m: _("Urgency raised to %(after)s: %(count)s similar reports arrived.",
                            after=_urgency(e.after.get("urgency")), count=e.after.get("similar_reports", "—")),
    "status": lambda e, m: (_("Status changed from %(before)s to %(after)s (duplicate of %(reference)s).",
                              before=_status(e.before.get("status")), after=_status(e.after.get("status")),
                              reference=e.after["duplicate_of"]) if e.after.get("duplicate_of") else
                            _("Status changed from %(before)s to %(after)s.", before=_status(e.before.get("status")),
                              after=_status(e.after.get("status")))),
    "reply": lambda e, m: _("Answer published to the citizen:"),
    "note": lambda e, m: _("Internal note:"),
    "taken": lambda e, m: _("Took the case."),
    "assigned": lambda e, m: _("Gave the case to %(officer)s.", officer=e.after.get("assignee") or "—"),
    "released": lambda e, m: _("Released the case: nobody holds it now."),
    "escalation": _escalation,
    "reopened": _reopened,
    "merged": lambda e, m: _("Merged the reports %(references)s into this case.",
                             references=_joined(e.after.get("merged"))),
    "published": lambda e, m: _("Published under the public id %(public_id)s.", public_id=e.after.get("public_id")),
}


def sentence(e: Event, ministries: Mapping[str, str]) -> str:
    def ministry(code: Any) -> str:
        return ministries.get(code, code) if code else _("no ministry")

    tell = SENTENCES.get(e.kind)
    return tell(e, ministry) if tell else str(EVENT_LABELS.get(e.kind, e.kind)) + "."
