"""Erasing a citizen's data: one case on request, all of one person's cases, or (through triage.retention) every
case closed before the end of the retention period.

What stays is a skeleton for statistics: ministry, status, urgency, channel, language, dates, model version and
confidence. Everything the citizen wrote or that identifies them goes: contact details, device and account ids, the
text, attributes, media, place and coordinates, the words of the text a prediction kept, satisfaction comments, the
officers' messages and free-text reasons on the case's events, its training labels and its outbox rows. An erasure
on request also deletes the case's photos (triage/photos.py); the retention purge, which removes what identifies the
citizen, keeps them with the case's skeleton (docs/privacy.md).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from civicly.models import Case, Event, Label, OutboxMessage, Prediction, SatisfactionAnswer
from civicly.models.timestamps import utcnow
from civicly.storage import Storage
from civicly.triage import admin_audit, photos
from civicly.triage.intake import clean_text

ERASED = "[erased]"  # what stands where the citizen's words (or an officer's words about them) were
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone", "device_id", "account_id")
# Everything else a case holds about its citizen, set back to "nothing known".
PERSONAL_FIELDS = {**dict.fromkeys(CONTACT_FIELDS), "place": None, "latitude": None, "longitude": None,
                   "address_id": None, "media_url": None, "form_token": None, "text": ERASED,
                   "text_redacted": ERASED,
                   # an erased case is no longer published: its public text goes, its random public id may stay
                   "public_text": None, "published_at": None, "published_by": None}
# Keys of Event.before/after that carry codes, figures or references, never free text: kept for statistics. Any other
# key (an officer's "reason", for instance) is free text and is blanked.
SKELETON_EVENT_KEYS = frozenset({"channel", "language", "department", "chosen_by", "triage_reason", "confidence",
                                 "urgency", "source", "status", "duplicate_of", "similar_reports", "merged", "erased",
                                 "closed_before",
                                 # the working day's events: who held or was alerted (staff), level, count, date
                                 "assignee", "to", "level", "times", "deadline"})
PHONE_DIGITS_MIN = 6
_NOT_DIGITS = re.compile(r"\D")


@dataclass(frozen=True)
class Erasure:
    """What was removed from one case: counts only, so it can go into the audit."""

    reference: str
    events: int
    predictions: int
    labels: int
    outbox: int
    satisfaction: int
    photos: int = 0

    def counts(self) -> dict[str, int]:
        return {name: value for name, value in asdict(self).items() if name != "reference"}


def erase_case(session: Session, case: Case, actor: str, storage: Storage | None = None) -> Erasure:
    """Erase one case's personal data and its photos (from ``storage``, the application's by default) at its
    citizen's request (or an officer's), audited as ``case.erase``."""
    erasure = remove_personal_data(session, case, actor, event_kind="erased")
    erasure = replace(erasure, photos=photos.delete_photos(session, case, storage))
    admin_audit.record(session, actor, "case.erase", case.reference, **erasure.counts())
    return erasure


def cases_of_person(session: Session, email: str = "", phone: str = "") -> list[Case]:
    """The cases whose contact e-mail (in any letter case) or phone number (same digits, however written) match:
    one person's cases, to erase them all.

    Both are cleaned as intake cleans them; an empty or too short value matches nothing.
    """
    found: dict[int, Case] = {}
    address = clean_text(email).lower()
    if address:
        for case in session.exec(select(Case).where(func.lower(col(Case.contact_email)) == address)):
            found[case.id] = case
    digits = _NOT_DIGITS.sub("", clean_text(phone))
    if len(digits) >= PHONE_DIGITS_MIN:
        phones = session.exec(select(Case.id, Case.contact_phone).where(col(Case.contact_phone).is_not(None)))
        for case_id in [case_id for case_id, stored in phones if _NOT_DIGITS.sub("", stored) == digits]:
            found.setdefault(case_id, session.get(Case, case_id))
    return sorted(found.values(), key=lambda case: case.id)


def remove_personal_data(session: Session, case: Case, actor: str, event_kind: str) -> Erasure:
    """Leave only the statistical skeleton of ``case`` and one Event of ``event_kind`` saying so (not audited: the
    caller records the request or the purge)."""
    for name, value in PERSONAL_FIELDS.items():
        setattr(case, name, value)
    case.attributes = {}
    case.erased_at = utcnow()
    case.version += 1  # a decision form opened before the erasure gets a conflict, not a silent write
    session.add(case)
    session.flush()
    erasure = Erasure(
        reference=case.reference,
        events=_blank_events(session, case.id),
        predictions=session.execute(update(Prediction).where(col(Prediction.case_id) == case.id)
                                    .values(reasons=[], urgency_reasons=[])).rowcount,
        labels=session.execute(delete(Label).where(col(Label.case_id) == case.id)).rowcount,
        outbox=session.execute(delete(OutboxMessage).where(col(OutboxMessage.case_id) == case.id)).rowcount,
        satisfaction=session.execute(update(SatisfactionAnswer).where(
            col(SatisfactionAnswer.case_id) == case.id, col(SatisfactionAnswer.comment).is_not(None))
            .values(comment=None)).rowcount,
    )
    session.add(Event(case_id=case.id, kind=event_kind, actor=actor, after={"erased": "personal data"}))
    session.flush()
    return erasure


def _blank_events(session: Session, case_id: int) -> int:
    """Blank the messages and free-text values of a case's events; returns how many events changed.

    Events are append-only: models.audit refuses any ORM update or delete of one. Erasure is the one sanctioned
    exception, because the law puts a citizen's right to erasure above the completeness of the history: these are
    Core statements on the table, which the ORM listener does not see. Who did what and when stays; only the words
    go, and the "erased" event that follows records it.
    """
    events = Event.__table__
    rows = session.execute(select(events.c.id, events.c.message, events.c.before, events.c.after)
                           .where(events.c.case_id == case_id)).all()
    changed = 0
    for event_id, message, before, after in rows:
        blanked = {"message": ERASED if message else message, "before": _skeleton(before), "after": _skeleton(after)}
        if blanked != {"message": message, "before": before, "after": after}:
            session.execute(events.update().where(events.c.id == event_id).values(**blanked))
            changed += 1
    for loaded in [obj for obj in session.identity_map.values() if isinstance(obj, Event) and obj.case_id == case_id]:
        session.expire(loaded)  # the identity map still holds the words the statements above removed
    return changed


def _skeleton(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value if key in SKELETON_EVENT_KEYS else ERASED for key, value in (values or {}).items()}
