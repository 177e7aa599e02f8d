"""A citizen says "not solved" by SMS: "NO CIV-ABCD-EFGH the road is still cut" reopens a closed case as a "No"
with a reason does on the tracking page, through the same survey answer (triage/satisfaction.py): the same window
(``CIVICLY_REOPEN_DAYS``), the reason redacted, the same reopening and alerts.

Only the number that filed the case may reopen it, even by its full reference. Reading a status by reference is
harmless, but reopening puts the case back on an officer's desk and, from the second time, alerts the supervisors:
a reference seen on someone else's receipt must not be enough to do that from any phone. The number is what an SMS
proves (the provider gives it), as the reference is what the tracking page's visitor proves.

Reports may start with "no" ("No water in Kibera for a week"): a message is a reopen request only when the word is
followed by a full reference, by the last group of one of this number's references, or by nothing at all (the
number's latest case); anything else is filed as a report.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ScalarResult
from sqlmodel import Session, col, select

from civicly.errors import UnknownReference
from civicly.models import Case
from civicly.models.cases import CaseStatus
from civicly.references import ALPHABET, GROUP_LEN, PREFIX, case_by_reference, normalise_reference
from civicly.sms import texts
from civicly.triage import satisfaction

# The first word of a "not solved" answer, in each language Civicly speaks (case as typed).
NOT_SOLVED_WORDS = {"no": "en", "non": "fr", "hapana": "sw", "لا": "ar"}
_PUNCTUATION = ":#,.!؟،"


@dataclass(frozen=True)
class ReopenRequest:
    locale: str
    case: Case | None  # None: a full reference that no case has
    reason: str


@dataclass(frozen=True)
class Reply:
    text: str
    locale: str
    reference: str | None
    kind: str  # reopened | status | refused


def request_of(session: Session, phone: str, text: str) -> ReopenRequest | None:
    """The reopen request in ``text`` (already cleaned), or None when it is something else (a report)."""
    words = text.split(maxsplit=2)
    if not words or (locale := NOT_SOLVED_WORDS.get(words[0].casefold().strip(_PUNCTUATION))) is None:
        return None
    if len(words) == 1:
        latest = _own_cases(session, phone).first()
        return ReopenRequest(locale, latest, "") if latest is not None else None
    token, reason = words[1].strip(_PUNCTUATION), words[2] if len(words) > 2 else ""
    if token.upper().startswith(PREFIX) and normalise_reference(token):
        try:
            return ReopenRequest(locale, case_by_reference(session, token), reason)
        except UnknownReference:
            return ReopenRequest(locale, None, reason)
    group = token.upper()
    if len(group) == GROUP_LEN and all(ch in ALPHABET for ch in group):
        own = _own_cases(session, phone, col(Case.reference).endswith(f"-{group}")).first()
        if own is not None:
            return ReopenRequest(locale, own, reason)
    return None


def answer(session: Session, phone: str, request: ReopenRequest, config: Mapping[str, Any]) -> Reply:
    """Reopen the case for the reason given, or say why not (unknown, not this number's, open, too late, no
    reason)."""
    locale, case = request.locale, request.case
    if case is None:
        return Reply(texts.unknown_reference(locale), locale, None, "refused")
    if case.contact_phone != phone or case.erased_at is not None:
        return Reply(texts.reopen_not_yours(locale), locale, None, "refused")
    days = config["REOPEN_DAYS"]
    window = timedelta(days=days)
    if CaseStatus(case.status).is_open:
        return Reply(texts.reopen_still_open(case.reference, locale), locale, case.reference, "refused")
    if not satisfaction.can_answer(session, case.reference, window):
        return Reply(texts.reopen_too_late(case.reference, days, locale), locale, case.reference, "refused")
    if not request.reason.strip():
        return Reply(texts.reopen_reason_needed(case.reference, locale), locale, case.reference, "status")
    satisfaction.answer(session, case.reference, answered=False, comment=request.reason, window=window)
    if satisfaction.is_open(session, case.reference):
        return Reply(texts.reopened(case.reference, locale), locale, case.reference, "reopened")
    return Reply(texts.reopen_noted(case.reference, locale), locale, case.reference, "status")  # a merged duplicate


def _own_cases(session: Session, phone: str, *where: Any) -> ScalarResult[Case]:
    """This number's cases, latest first."""
    return session.exec(select(Case).where(Case.contact_phone == phone, col(Case.erased_at).is_(None), *where)
                        .order_by(col(Case.id).desc()))
