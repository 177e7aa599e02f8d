"""Storing a citizen's submission, whatever door it came through (web form, Open311, SMS, USSD, WhatsApp, import)."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from civicly import areas, privacy
from civicly.classify import Routing, detected_language
from civicly.errors import InvalidSubmission
from civicly.languages import LANGUAGES
from civicly.models import Case, Department, Event, Prediction
from civicly.models.cases import CaseStatus, Urgency
from civicly.models.timestamps import utcnow
from civicly.references import new_reference
from civicly.storage import Storage, current_storage
from civicly.text_cleaning import clean_text
from civicly.triage import deadlines, outbox, photos
from civicly.triage.departments import department_by_code, normalise_code

log = logging.getLogger(__name__)

TEXT_MIN, TEXT_MAX = 10, 5000
NAME_MAX, PLACE_MAX, EMAIL_MAX, PHONE_MAX = 200, 200, 254, 40
EMAIL_FORMAT = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_FORMAT = re.compile(r"^\+?[\d\s().\-/]{6,}$")

Router = Callable[[str], Routing | None]


@dataclass
class SubmissionInput:
    """What a citizen sends; every field but ``text`` is optional."""

    text: str
    name: str = ""
    email: str = ""
    phone: str = ""
    place: str = ""
    language: str = ""
    channel: str = "web"
    form_token: str = ""
    department_code: str = ""  # a ministry chosen by the sender (an Open311 service_code); the model still advises
    latitude: float | None = None
    longitude: float | None = None
    address_id: str = ""
    media_url: str = ""
    device_id: str = ""
    account_id: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    received_at: datetime | None = None  # when an import replays older reports; otherwise now
    publish_consent: bool = False  # the sender agrees to publication without contact details, if an officer approves
    filed_by_key_id: int | None = None  # the Open311 key that filed it, so that partner can read it back
    sms_consent: bool = False  # news by SMS at ``phone`` (the web form asks; writing by phone is agreeing)
    receipt_sent: bool = False  # the channel answered with the reference itself (TwiML): no SMS acknowledgement
    area_code: str = ""  # an ISO 3166-2 first-level area of the configured country, chosen by the sender
    device_position: bool = False  # latitude/longitude are the citizen's phone's: stored rounded to about 100 m
    photos: Sequence[photos.PhotoUpload | photos.PreparedPhoto] = ()  # prepared (re-encoded) once validated


def validate(data: SubmissionInput, country: str = areas.DEFAULT_COUNTRY) -> SubmissionInput:
    """Return the cleaned input, or raise InvalidSubmission naming every wrong field.

    The cleaned input has its photos re-encoded and its area filled in from the coordinates or the place when the
    sender chose none; a citizen's own device position is kept to about 100 m.
    """
    latitude, longitude = data.latitude, data.longitude
    if data.device_position:
        latitude, longitude = areas.rounded_position(latitude, longitude)
    prepared, photo_problems = photos.prepare_all(list(data.photos))
    cleaned = replace(
        data,
        text=clean_text(data.text),
        name=clean_text(data.name),
        email=clean_text(data.email),
        phone=clean_text(data.phone),
        place=clean_text(data.place),
        language=clean_text(data.language).lower(),
        form_token=clean_text(data.form_token)[:64],
        department_code=normalise_code(clean_text(data.department_code)),
        address_id=clean_text(data.address_id)[:100],
        media_url=clean_text(data.media_url)[:500],
        device_id=clean_text(data.device_id)[:100],
        account_id=clean_text(data.account_id)[:100],
        attributes={clean_text(k)[:64]: clean_text(str(v))[:500] for k, v in data.attributes.items()},
        area_code=clean_text(data.area_code).upper()[:areas.AREA_CODE_MAX],
        latitude=latitude, longitude=longitude, photos=prepared,
    )
    errors: dict[str, list[str]] = {}
    if not cleaned.text:
        errors["text"] = [_l("Please describe your concern or suggestion.")]
    elif len(cleaned.text) < TEXT_MIN:
        errors["text"] = [_l("Please write at least %(min)d characters.", min=TEXT_MIN)]
    elif len(cleaned.text) > TEXT_MAX:
        errors["text"] = [_l("Please keep your message under %(max)d characters.", max=TEXT_MAX)]
    if len(cleaned.name) > NAME_MAX:
        errors["name"] = [_l("Please keep this under %(max)d characters.", max=NAME_MAX)]
    if len(cleaned.place) > PLACE_MAX:
        errors["place"] = [_l("Please keep this under %(max)d characters.", max=PLACE_MAX)]
    if cleaned.email and (len(cleaned.email) > EMAIL_MAX or not EMAIL_FORMAT.match(cleaned.email)):
        errors["email"] = [_l("This e-mail address does not look right (example: name@example.org).")]
    if cleaned.phone and (len(cleaned.phone) > PHONE_MAX or not PHONE_FORMAT.match(cleaned.phone)):
        errors["phone"] = [_l("This phone number does not look right (digits, spaces and + only).")]
    if cleaned.language and cleaned.language not in LANGUAGES:
        errors["language"] = [_l("Please choose one of the languages offered.")]
    if cleaned.latitude is not None and not -90 <= cleaned.latitude <= 90:
        errors["lat"] = [_l("Latitude must be between -90 and 90.")]
    if cleaned.longitude is not None and not -180 <= cleaned.longitude <= 180:
        errors["long"] = [_l("Longitude must be between -180 and 180.")]
    if cleaned.received_at is not None and (cleaned.received_at.tzinfo is None or cleaned.received_at > utcnow()):
        errors["received_at"] = [_l("The reception time must be a past, time-zone aware moment.")]
    if cleaned.area_code and not areas.is_area_of(cleaned.area_code, country):
        errors["area_code"] = [_l("Please choose one of the areas offered.")]
    if photo_problems:
        errors["photos"] = photo_problems
    if errors:
        raise InvalidSubmission(errors)
    if not cleaned.area_code:
        cleaned.area_code = (areas.area_at(cleaned.latitude, cleaned.longitude, country)
                             or areas.area_named(cleaned.place, country) or "")
    return cleaned


def submit(session: Session, data: SubmissionInput, route: Router | None, storage: Storage | None = None,
           country: str = areas.DEFAULT_COUNTRY) -> Case:
    """Validate, redact, classify and store a case with its prediction, events and photos; never drops a valid one.

    ``route`` gives the model's verdict or None; a missing or failing model leaves the case unrouted,
    in the manual triage queue. ``route`` itself None stores the case as typed for ``civicly worker`` to redact and
    route (CIVICLY_ROUTING=worker, ``classify.request_router``). Resubmitting the same form (same ``form_token``)
    returns the first case. Photos go to ``storage`` (the application's by default) once the case row exists.
    """
    data = validate(data, country)
    if route is None:
        return _stored(session, data, storage, lambda: _insert_for_routing(session, data))
    # The model reads the redacted text, as it is trained on redacted officers' decisions: one text for both, and
    # no personal data handed to the model.
    redacted = privacy.redact(data.text)
    routing = _safe_route(route, redacted)
    return _stored(session, data, storage, lambda: _build_case(session, data, redacted, routing))


def _stored(session: Session, data: SubmissionInput, storage: Storage | None, build: Callable[[], Case]) -> Case:
    """``build()``'s case, flushed with its photos; a form sent again gives its first case."""
    for _attempt in range(5):
        try:  # a form sent again is found by its unique token when its insert fails, not looked up every time
            case = build()
            session.flush()
        except IntegrityError:
            session.rollback()
            if data.form_token:
                existing = session.exec(select(Case).where(Case.form_token == data.form_token)).first()
                if existing is not None:
                    return existing
            log.warning("reference collision, drawing a new one")
            continue
        if data.photos:
            photos.attach(session, storage or current_storage(), case, data.photos)
        return case
    raise RuntimeError("could not store the case after 5 attempts")


def _safe_route(route: Router, text: str) -> Routing | None:
    try:
        return route(text)
    except Exception:
        log.exception("routing failed; the case goes to manual triage")
        return None


def _case_fields(data: SubmissionInput) -> dict[str, Any]:
    """The case's columns as the sender gave them: everything but routing, urgency and deadline."""
    return dict(
        reference=new_reference(),
        text=data.text,
        contact_name=data.name or None,
        contact_email=data.email or None,
        contact_phone=data.phone or None,
        place=data.place or None,
        area_code=data.area_code or None,
        latitude=data.latitude,
        longitude=data.longitude,
        address_id=data.address_id or None,
        media_url=data.media_url or None,
        device_id=data.device_id or None,
        account_id=data.account_id or None,
        service_code=data.department_code or None,
        attributes=data.attributes,
        language=data.language or None,
        channel=data.channel,
        form_token=data.form_token or None,
        publish_consent=bool(data.publish_consent),
        sms_consent=bool(data.sms_consent and data.phone),
        filed_by_key_id=data.filed_by_key_id,
        **({"created_at": data.received_at, "updated_at": data.received_at} if data.received_at else {}),
    )


def _build_case(session: Session, data: SubmissionInput, redacted: str, routing: Routing | None) -> Case:
    case = Case(**_case_fields(data), text_redacted=redacted)
    department, chosen = _settle(session, case, routing)
    session.add(case)
    session.flush()
    session.add(Event(**_submitted(case)))
    _record_routing(session, case, department, chosen, routing, case.created_at)
    outbox.enqueue(session, case, "acknowledgement", sms=not data.receipt_sent)
    outbox.enqueue_grouping(session, case)  # similar reports: compared after the response, by ``civicly worker``
    return case


def _insert_for_routing(session: Session, data: SubmissionInput) -> Case:
    """The case as typed, with no ministry yet ("being routed": neither a ministry's nor manual triage's), its
    submitted event and its routing job, in three bare INSERTs and no read: the least a case can cost a request,
    so that a surge is stored at once. Its redacted text stays empty until the worker redacts it, so nobody who
    may only read redacted text sees anything meanwhile. Returns a copy of the stored row, outside the session."""
    values = {**_case_fields(data), "text_redacted": "", "needs_triage": False, "status": CaseStatus.new.value}
    values.setdefault("created_at", utcnow())
    values.setdefault("updated_at", values["created_at"])
    # Statements of the table with their values as parameters: compiled once per process, not per submission.
    case_id = session.execute(insert(Case.__table__), values).inserted_primary_key[0]
    case = Case(id=case_id, **values)
    session.execute(insert(Event.__table__), _submitted(case))
    outbox.enqueue_routing(session, case.id, case.reference, case.created_at)
    return case


def being_routed(case: Case) -> bool:
    """Stored before routing and not yet routed by the worker, nor sent anywhere by a person meanwhile."""
    return case.department_id is None and not case.needs_triage and case.erased_at is None


def route_stored(session: Session, case: Case, redacted: str, routing: Routing | None, now: datetime) -> None:
    """The worker's half of a case stored before routing: its redacted text, then, unless a person routed it
    meanwhile, its ministry (the sender's chosen service or the model's verdict), urgency, language, deadline,
    prediction and routing event; then the citizen's acknowledgement and the grouping job, as in a request."""
    case.text_redacted = redacted
    if being_routed(case):
        department, chosen = _settle(session, case, routing)
        _record_routing(session, case, department, chosen, routing, now)
    outbox.enqueue(session, case, "acknowledgement", sms=True)
    outbox.enqueue_grouping(session, case)


def _settle(session: Session, case: Case, routing: Routing | None) -> tuple[Department | None, bool]:
    """Set the ministry (the sender's chosen service first, else the model's confident verdict), the urgency, the
    language and the deadline; returns the ministry and whether the sender chose it. Reads only: in a request, the
    deadline's service level is read before the first insert, which on SQLite takes the database's write lock until
    commit."""
    prediction = routing.prediction if routing else None
    chosen = _chosen_department(session, case.service_code or "")
    department = chosen or _auto_department(session, prediction)
    case.department_id = department.id if department else None
    case.needs_triage = department is None
    case.language = case.language or (prediction.language if prediction else None) or _detected_language(case.text)
    if prediction is not None and prediction.urgency:
        case.urgency = prediction.urgency
        case.urgency_rank = Urgency(prediction.urgency).rank
        case.urgency_score = float(prediction.urgency_score)
        case.urgency_source = prediction.urgency_source
    deadlines.refresh_deadline(session, case)
    return department, chosen is not None


def _submitted(case: Case) -> dict[str, Any]:
    """The columns of the case's first, public event."""
    return dict(case_id=case.id, kind="submitted", actor=f"citizen:{case.channel}", public=True, before={},
                after={"channel": case.channel, "language": case.language}, created_at=case.created_at)


def _record_routing(session: Session, case: Case, department: Department | None, chosen: bool,
                    routing: Routing | None, at: datetime) -> None:
    if routing is not None and routing.prediction is not None:
        session.add(_prediction_row(case, routing))
    session.add(_routing_event(case, department, chosen, routing, at))


def _routing_event(case: Case, department: Department | None, chosen: bool, routing: Routing | None,
                   at: datetime) -> Event:
    """Where the case went and who decided: the sender's chosen service, the model, or nobody yet (triage)."""
    if chosen and department is not None:
        return Event(case_id=case.id, kind="routed", actor=f"citizen:{case.channel}", public=True,
                     after={"department": department.code, "chosen_by": "sender"}, created_at=at)
    if routing is None:
        return Event(case_id=case.id, kind="triage", actor="system", after={"triage_reason": "model_unavailable"},
                     created_at=at)
    prediction = routing.prediction
    return Event(
        case_id=case.id, kind="routed" if department else "triage",
        actor=f"model:{routing.model_version}", public=department is not None,
        after={"department": department.code if department else None,
               "confidence": round(float(prediction.confidence), 4),
               "urgency": case.urgency, "triage_reason": prediction.triage_reason},
        created_at=at,
    )


def _chosen_department(session: Session, code: str) -> Department | None:
    """The ministry the sender chose, if any: most senders choose none, and then no query is made."""
    return department_by_code(session, code, active_only=True) if code else None


def _auto_department(session: Session, prediction: object | None) -> Department | None:
    """The predicted ministry when the model is confident and the ministry is active; otherwise None."""
    if prediction is None or not getattr(prediction, "auto_routed", False):
        return None
    department = department_by_code(session, prediction.department, active_only=True)
    if department is None:
        log.warning("model routed to unknown or inactive department %r", prediction.department)
        return None
    return department


def _detected_language(text: str) -> str | None:
    """The language of a text its sender did not label, so officers can filter by it; None when unsure. Offline."""
    return detected_language(text)


def _prediction_row(case: Case, routing: Routing) -> Prediction:
    p = routing.prediction
    return Prediction(
        case_id=case.id,
        model_version=routing.model_version,
        department_code=p.department,
        confidence=float(p.confidence),
        auto_routed=bool(p.auto_routed),
        triage_reason=p.triage_reason,
        top3=[[label, round(float(prob), 4)] for label, prob in p.top3],
        reasons=list(p.reasons),
        urgency=p.urgency,
        urgency_score=float(p.urgency_score),
        urgency_source=p.urgency_source,
        urgency_reasons=list(p.urgency_reasons),
        language=p.language,
    )
