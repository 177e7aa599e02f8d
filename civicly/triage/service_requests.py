"""The Open311 read side: ministries as services, cases as service requests, never any contact data.

Who sees what (docs/open311.md): anyone sees the published cases (triage/publication.py) with the open-data treatment
of triage/exports.py, under their public id, with the approved public text and a generic status word. A partner key
also sees the cases it filed, under their reference (to give back to its citizen), with the ministry's latest public
reply, exact place and coordinates. Nobody sees contact details; manual-triage and unconsented cases are never shown
to the public.

Plain functions over the session; the API blueprint only parses parameters and renders what these return.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from civicly import privacy
from civicly.errors import CivicError, UnknownReference
from civicly.i18n import STATUS_LABELS
from civicly.languages import LANGUAGES
from civicly.models import Case, Department, Event, Prediction
from civicly.models.cases import OPEN_STATUSES
from civicly.models.timestamps import utcnow
from civicly.references import normalise_reference
from civicly.triage import photos, publication
from civicly.triage.departments import department_by_code, normalise_code
from civicly.triage.exports import public_coordinate, public_place

MAX_RANGE = timedelta(days=90)
MAX_PAGE_SIZE = 1000
MAX_PAGE = 100_000
MAX_IDS = 20  # ids one GET may name; each also counts against the read rate limit (api/views.py)
OPEN_VALUES = tuple(s.value for s in OPEN_STATUSES)
SERVICE_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")


class UnknownService(CivicError):
    """No active ministry has this service code."""


class InvalidQuery(CivicError):
    """Filters that cannot be answered; ``errors`` maps parameter names to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {', '.join(str(m) for m in v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Service:
    service_code: str
    service_name: str
    description: str
    keywords: str
    group: str
    metadata: bool = False
    type: str = "realtime"


@dataclass(frozen=True)
class RequestQuery:
    """Filters of GET requests, already parsed; ``ids`` overrides every other filter."""

    ids: Sequence[str] = ()
    service_codes: Sequence[str] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: Sequence[str] = ()  # "open", "closed"
    page: int = 1
    page_size: int = MAX_PAGE_SIZE


@dataclass(frozen=True)
class ServiceRequest:
    """A case as Open311 shows it: never contact details; see the module docstring for what else depends on who."""

    service_request_id: str
    status: str
    status_notes: str | None
    service_name: str | None
    service_code: str
    description: str
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None
    extended_attributes: dict[str, Any] | None = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        """The fields in the spec's order; extended_attributes only when asked for."""
        fields = asdict(self)
        if self.extended_attributes is None:
            del fields["extended_attributes"]
        return fields


def open311_status(case_status: str) -> str:
    return "open" if case_status in OPEN_VALUES else "closed"


def _as_service(department: Department, locale: str) -> Service:
    name = department.name(locale)
    others = [getattr(department, f"name_{lang}") for lang in LANGUAGES]
    keywords = ", ".join(dict.fromkeys(n.replace(",", " ") for n in [department.code, *others] if n and n != name))
    return Service(
        service_code=department.code,
        service_name=name,
        description=str(_l("Concerns and suggestions for: %(name)s", name=name)),
        keywords=keywords,
        group=str(_l("Ministries")),
    )


def list_services(session: Session, locale: str) -> list[Service]:
    """One service per active ministry, named in ``locale``."""
    query = select(Department).where(Department.active == True).order_by(Department.code)  # noqa: E712
    return [_as_service(d, locale) for d in session.exec(query)]


def get_service(session: Session, code: str, locale: str) -> Service:
    """The active ministry with this service code; raises UnknownService."""
    code = normalise_code(code)
    department = department_by_code(session, code, active_only=True) if SERVICE_CODE.match(code) else None
    if department is None:
        raise UnknownService(code)
    return _as_service(department, locale)


def check_query(query: RequestQuery, now: datetime | None = None) -> RequestQuery:
    """Apply the spec's defaults (the last 90 days) and limits; raises InvalidQuery naming every wrong filter."""
    errors: dict[str, list[str]] = {}
    if len(query.ids) > MAX_IDS:
        errors["service_request_id"] = [_l("At most %(n)d ids at once.", n=MAX_IDS)]
    if not 1 <= query.page <= MAX_PAGE:
        errors["page"] = [_l("page must be between 1 and %(n)d.", n=MAX_PAGE)]
    if not 1 <= query.page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = [_l("page_size must be between 1 and %(n)d.", n=MAX_PAGE_SIZE)]
    if query.ids:
        if errors:
            raise InvalidQuery(errors)
        return query
    start, end = query.start, query.end
    if start is not None and end is not None:
        if end < start:
            errors["end_date"] = [_l("end_date must not be before start_date.")]
        elif end - start > MAX_RANGE:
            errors["end_date"] = [_l("start_date and end_date may be at most 90 days apart.")]
    elif start is not None:
        end = start + MAX_RANGE
    elif end is not None:
        start = end - MAX_RANGE
    else:
        start = (now or utcnow()) - MAX_RANGE
    if errors:
        raise InvalidQuery(errors)
    return RequestQuery(ids=(), service_codes=query.service_codes, start=start, end=end,
                        statuses=query.statuses, page=query.page, page_size=query.page_size)


PhotoAddress = Callable[[str], str]  # a published case's public id -> the address of its first photo


def find_requests(session: Session, query: RequestQuery, locale: str, partner_key_id: int | None = None,
                  extended: bool = False, photo_url: PhotoAddress | None = None) -> list[ServiceRequest]:
    """Cases matching ``query`` (see check_query) that this reader may see, newest first.

    ``partner_key_id`` is the id of the caller's valid API key, or None for an anonymous reader. ``photo_url``
    gives a published case's ``media_url`` when it has photos (none without it).
    """
    query = check_query(query)
    statement = select(Case).where(_visible(partner_key_id))
    if query.ids:
        wanted = _by_ids(query.ids, partner_key_id)
        if wanted is None:
            return []
        statement = statement.where(wanted)
    else:
        if query.service_codes:
            codes = [normalise_code(c) for c in query.service_codes if SERVICE_CODE.match(c)]
            department_ids = select(Department.id).where(col(Department.code).in_(codes))
            statement = statement.where(col(Case.department_id).in_(department_ids))
        if query.start is not None:
            statement = statement.where(Case.created_at >= query.start)
        if query.end is not None:
            statement = statement.where(Case.created_at <= query.end)
        wanted = set(query.statuses)
        if wanted == {"open"}:
            statement = statement.where(col(Case.status).in_(OPEN_VALUES))
        elif wanted == {"closed"}:
            statement = statement.where(col(Case.status).not_in(OPEN_VALUES))
    statement = (statement.order_by(col(Case.created_at).desc(), col(Case.id).desc())
                 .offset((query.page - 1) * query.page_size).limit(query.page_size))
    return _as_requests(session, list(session.exec(statement)), locale, partner_key_id, extended, photo_url)


def get_request(session: Session, request_id: str, locale: str, partner_key_id: int | None = None,
                extended: bool = False, photo_url: PhotoAddress | None = None) -> ServiceRequest:
    """One case by its public id (or, for the partner that filed it, its reference); raises UnknownReference."""
    wanted = _by_ids([request_id], partner_key_id)
    case = session.exec(select(Case).where(_visible(partner_key_id), wanted)).first() if wanted is not None else None
    if case is None:
        raise UnknownReference(request_id)
    return _as_requests(session, [case], locale, partner_key_id, extended, photo_url)[0]


def _filed_by(partner_key_id: int | None) -> ColumnElement[bool]:
    return col(Case.filed_by_key_id) == partner_key_id if partner_key_id is not None else false()


def _visible(partner_key_id: int | None) -> ColumnElement[bool]:
    """Published cases for everyone, and a partner's own filings for that partner."""
    return or_(publication.is_published(), _filed_by(partner_key_id))


def _by_ids(ids: Sequence[str], partner_key_id: int | None) -> ColumnElement[bool] | None:
    """Public ids for everyone; references only among the partner's own filings. None when no id can match."""
    public_ids = [p for p in (publication.normalise_public_id(i) for i in ids) if p]
    references = [r for r in (normalise_reference(i) for i in ids) if r] if partner_key_id is not None else []
    conditions = []
    if public_ids:
        conditions.append(col(Case.public_id).in_(public_ids) & publication.is_published())
    if references:
        conditions.append(col(Case.reference).in_(references) & _filed_by(partner_key_id))
    return or_(*conditions) if conditions else None


def _as_requests(session: Session, cases: list[Case], locale: str, partner_key_id: int | None,
                 extended: bool, photo_url: PhotoAddress | None = None) -> list[ServiceRequest]:
    if not cases:
        return []
    ids = [c.id for c in cases]
    departments = {d.id: d for d in session.exec(select(Department))}
    notes = _latest_public_replies(session, ids)
    touched = dict(session.exec(
        select(Event.case_id, func.max(Event.created_at))
        .where(col(Event.case_id).in_(ids), Event.public == True)  # noqa: E712
        .group_by(Event.case_id)
    ).all())
    predictions = _latest_predictions(session, ids) if extended else {}
    with_photos = photos.cases_with_photos(session, ids) if photo_url else set()
    result = []
    for case in cases:
        department = departments.get(case.department_id)
        name = department.name(locale) if department else None
        shown = _as_filed(case, notes) if partner_key_id is not None and case.filed_by_key_id == partner_key_id \
            else _as_published(case, locale, photo_url if case.id in with_photos else None)
        result.append(ServiceRequest(
            status=open311_status(case.status),
            service_name=name,
            service_code=department.code if department else "",
            agency_responsible=name,
            service_notice=None,
            requested_datetime=case.created_at,
            updated_datetime=max(filter(None, (case.updated_at, touched.get(case.id)))),
            expected_datetime=case.deadline_at,
            zipcode=None,
            extended_attributes=_extended(case, predictions.get(case.id)) if extended else None,
            **shown,
        ))
    return result


def _as_filed(case: Case, notes: dict[int, str]) -> dict[str, Any]:
    """For the partner that filed the case: its reference, the ministry's latest public reply, the exact location."""
    return {"service_request_id": case.reference, "status_notes": notes.get(case.id),
            "description": case.text_redacted, "address": case.place, "address_id": case.address_id,
            "lat": case.latitude, "long": case.longitude, "media_url": case.media_url}


def _as_published(case: Case, locale: str, photo_url: PhotoAddress | None) -> dict[str, Any]:
    """For anyone: the open-data treatment. Replies are not shown (one may name the citizen), only a status word;
    the partner's address id and media link may point to a home, so they stay out too. The case's own first photo,
    re-encoded without metadata at intake and published with the text the officer approved, is its media_url."""
    with force_locale(locale):
        status_word = str(STATUS_LABELS.get(case.status, case.status))
    return {"service_request_id": case.public_id, "status_notes": status_word,
            "description": privacy.redact(case.public_text or ""), "address": public_place(case.place),
            "address_id": None, "lat": public_coordinate(case.latitude), "long": public_coordinate(case.longitude),
            "media_url": photo_url(case.public_id) if photo_url else None}


def _latest_public_replies(session: Session, case_ids: list[int]) -> dict[int, str]:
    replies = session.exec(
        select(Event).where(col(Event.case_id).in_(case_ids), Event.kind == "reply", Event.public == True)  # noqa: E712
        .order_by(Event.created_at, Event.id)
    )
    return {e.case_id: e.message for e in replies if e.message}


def _latest_predictions(session: Session, case_ids: list[int]) -> dict[int, Prediction]:
    rows = session.exec(select(Prediction).where(col(Prediction.case_id).in_(case_ids))
                        .order_by(Prediction.created_at, Prediction.id))
    return {p.case_id: p for p in rows}


def _extended(case: Case, prediction: Prediction | None) -> dict[str, Any]:
    """Triage details for trusted systems only: urgency, and what the model said with which version."""
    return {
        "urgency": case.urgency,
        "urgency_score": round(case.urgency_score, 4) if case.urgency else None,
        "needs_triage": case.needs_triage,
        "confidence": round(prediction.confidence, 4) if prediction else None,
        "model_version": prediction.model_version if prediction else None,
        "predicted_service_code": prediction.department_code if prediction else None,
    }
