"""Everything an officer sees on one case page, as plain data for the template."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from civicly import areas, privacy
from civicly.errors import NotAllowed
from civicly.models import Case, CaseStatus, Department, Event, Prediction
from civicly.models.timestamps import utcnow
from civicly.triage import admin_audit, assignment, groups, photos
from civicly.triage.permissions import (
    Actor,
    can_act,
    can_manage_personal_data,
    can_see_contact,
    can_see_full_text,
    find_visible_case,
)


@dataclass(frozen=True)
class Contact:
    name: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class SuggestedMinistry:
    """One of the model's three best ministries; ``active`` ones are offered as one-click routing choices."""

    code: str
    name: str
    probability: float
    active: bool


@dataclass(frozen=True)
class Suggestion:
    model_version: str
    department: str | None
    confidence: float
    auto_routed: bool
    triage_reason: str | None
    top3: list[SuggestedMinistry]
    reasons: list[Any]
    urgency: str | None
    urgency_score: float
    urgency_source: str | None
    urgency_reasons: list[Any]


@dataclass(frozen=True)
class CaseFile:
    reference: str
    version: int
    text: str
    place: str | None
    language: str | None
    channel: str
    status: str
    department_code: str | None
    department_name: str | None
    needs_triage: bool
    urgency: str | None
    urgency_source: str | None
    created_at: datetime
    deadline_at: datetime | None
    duplicate_of: str | None
    contact: Contact | None  # only when asked for (show_contact), each display audited
    contact_available: bool  # the actor may ask to see contact details, and the case has some
    can_manage_data: bool  # the actor may export or erase the citizen's data
    erased_at: datetime | None
    suggestion: Suggestion | None
    history: list[Event] = field(default_factory=list)
    can_act: bool = False
    overdue: bool = False
    group: groups.GroupSummary | None = None
    similar: list[groups.SimilarReport] = field(default_factory=list)
    redacted: bool = False  # text, place and messages as redacted for staff outside the case's ministry
    holder: str | None = None  # the e-mail of the officer holding the case (triage/assignment.py)
    may_take: bool = False
    may_release: bool = False
    colleagues: list[assignment.Colleague] = field(default_factory=list)  # to assign to: for supervisors only
    reopen_count: int = 0
    area: str | None = None  # the administrative area's name in the reader's language
    photos: list[photos.PhotoView] = field(default_factory=list)


def open_case(session: Session, actor: Actor, reference: str, locale: str, show_contact: bool = False) -> CaseFile:
    """The officer's view of a case; UnknownReference if this actor may not see it.

    Contact details are shown only when asked for: each display is recorded as ``contact.view`` (NotAllowed for
    someone who may not see them)."""
    case = find_visible_case(session, actor, reference)
    contact = Contact(case.contact_name, case.contact_email, case.contact_phone)
    contact_available = can_see_contact(actor, case) and any((contact.name, contact.email, contact.phone))
    if show_contact:
        if not can_see_contact(actor, case):
            raise NotAllowed("contact details are for the case's ministry")
        admin_audit.record(session, actor.email, "contact.view", case.reference)
    departments = {d.id: d for d in session.exec(select(Department))}
    department = departments.get(case.department_id)
    prediction = session.exec(
        select(Prediction).where(Prediction.case_id == case.id).order_by(col(Prediction.id).desc())).first()
    history = list(session.exec(
        select(Event).where(Event.case_id == case.id).order_by(col(Event.created_at), col(Event.id))))
    duplicate_of = session.get(Case, case.duplicate_of_id).reference if case.duplicate_of_id else None
    group, similar = groups.similar_reports(session, actor, case)
    full = can_see_full_text(actor, case)
    if not full:
        history = [_redacted_event(e) for e in history]
    return CaseFile(
        reference=case.reference, version=case.version,
        text=case.text if full else case.text_redacted,
        place=case.place if full or not case.place else privacy.redact(case.place),
        language=case.language,
        channel=case.channel, status=case.status,
        department_code=department.code if department else None,
        department_name=department.name(locale) if department else None,
        needs_triage=case.needs_triage, urgency=case.urgency, urgency_source=case.urgency_source,
        created_at=case.created_at, deadline_at=case.deadline_at, duplicate_of=duplicate_of,
        contact=contact if show_contact else None, contact_available=contact_available,
        can_manage_data=can_manage_personal_data(actor, case), erased_at=case.erased_at,
        suggestion=_suggestion(prediction, departments.values(), locale, None if full else case.text_redacted)
        if prediction else None,
        history=history,
        can_act=can_act(actor, case),
        overdue=case.deadline_at is not None and case.deadline_at < utcnow() and CaseStatus(case.status).is_open,
        group=group, similar=similar, redacted=not full,
        **_holding(session, actor, case), reopen_count=case.reopen_count,
        area=areas.area_name(case.area_code, locale), photos=photos.photos_of(session, case.id),
    )


def _holding(session: Session, actor: Actor, case: Case) -> dict[str, Any]:
    """Who holds the case, and what this actor may do about it: take it, release it, give it to a colleague."""
    ministry_officer = actor.owns(case) and can_act(actor, case)
    supervises = ministry_officer and actor.supervises(case)
    return {
        "holder": assignment.holder_email(session, case),
        "may_take": ministry_officer and case.assignee_id != actor.user_id and (case.assignee_id is None or supervises),
        "may_release": ministry_officer and case.assignee_id is not None and (
            case.assignee_id == actor.user_id or supervises),
        "colleagues": assignment.colleagues(session, case.department_id) if supervises else [],
    }


def _redacted_event(event: Event) -> Event:
    """A detached copy of the event with its message redacted (officers' replies name the citizen)."""
    if not event.message:
        return event
    return Event(case_id=event.case_id, kind=event.kind, actor=event.actor, public=event.public,
                 message=privacy.redact(event.message), before=event.before, after=event.after,
                 created_at=event.created_at)


def _suggestion(p: Prediction, departments: Iterable[Department], locale: str, redacted_text: str | None) -> Suggestion:
    """The model's verdict; given the redacted text, only the words that drove it which that text still holds."""
    by_code = {d.code: d for d in departments}
    names = {code: d.name(locale) for code, d in by_code.items()}
    reasons = p.reasons
    if redacted_text is not None:
        kept = redacted_text.lower()
        reasons = [r for r in reasons if (r if isinstance(r, str) else r[0]).lower() in kept]
    return Suggestion(
        model_version=p.model_version,
        department=names.get(p.department_code or "", p.department_code),
        confidence=p.confidence, auto_routed=p.auto_routed, triage_reason=p.triage_reason,
        top3=[SuggestedMinistry(code, names.get(code, code), prob, code in by_code and by_code[code].active)
              for code, prob in p.top3],
        reasons=reasons, urgency=p.urgency, urgency_score=p.urgency_score,
        urgency_source=p.urgency_source, urgency_reasons=p.urgency_reasons,
    )
