"""Personal data over time: erasing it after the retention period, and giving a citizen their data on request."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from civicly.models import Case, Department, Event, OutboxMessage, Prediction, SatisfactionAnswer
from civicly.models.cases import OPEN_STATUSES
from civicly.models.groups import CaseGroup, CaseGroupMember
from civicly.models.timestamps import utcnow
from civicly.references import case_by_reference
from civicly.triage import admin_audit, erasure, outbox, photos


def _purgeable(closed_before: datetime):
    return select(Case).where(
        col(Case.status).notin_([s.value for s in OPEN_STATUSES]),
        col(Case.updated_at) < closed_before,
        col(Case.erased_at).is_(None),
    ).order_by(col(Case.id))


def count_purgeable(session: Session, closed_before: datetime) -> int:
    return len(session.exec(_purgeable(closed_before).with_only_columns(col(Case.id))).all())


def purge_closed_cases(session: Session, closed_before: datetime, actor: str) -> int:
    """Erase the personal data of cases closed before ``closed_before``, by the same rules as an erasure on request
    (triage.erasure); each case gets a "purged" Event, the run one ``privacy.purge`` audit entry."""
    count = 0
    for case in session.exec(_purgeable(closed_before)).all():
        erasure.remove_personal_data(session, case, actor, event_kind="purged")
        count += 1
    admin_audit.record(session, actor, "privacy.purge", "", count=count, closed_before=closed_before.isoformat())
    return count


def export_personal_data(session: Session, typed_reference: str, actor: str) -> dict[str, Any]:
    """Everything Civicly holds about one case, for a citizen exercising their right of access; audited as
    ``case.export``. Other citizens' references (a group's lead, a merged case) stay out: they are their secrets."""
    case = case_by_reference(session, typed_reference)
    admin_audit.record(session, actor, "case.export", case.reference)
    department = session.get(Department, case.department_id) if case.department_id else None
    events = session.exec(select(Event).where(Event.case_id == case.id).order_by(col(Event.id)))
    return {
        "reference": case.reference,
        "submitted_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "erased_at": case.erased_at.isoformat() if case.erased_at else None,
        "text": case.text,
        "place": case.place,
        "language": case.language,
        "channel": case.channel,
        "service_code": case.service_code,
        "attributes": case.attributes,
        "media_url": case.media_url,
        "photos": len(photos.photos_of(session, case.id)),  # the files themselves: from the case page, on request
        "area": case.area_code,
        "contact": {"name": case.contact_name, "email": case.contact_email, "phone": case.contact_phone,
                    "device_id": case.device_id, "account_id": case.account_id},
        "location": {"latitude": case.latitude, "longitude": case.longitude, "address_id": case.address_id},
        "status": case.status,
        "ministry": department.code if department else None,
        "urgency": case.urgency,
        "predictions": _predictions(session, case),
        "satisfaction": _satisfaction(session, case),
        "messages": _messages(session, case),
        "group": _group(session, case),
        "history": [
            {"at": e.created_at.isoformat(), "kind": e.kind, "public": e.public,
             **({"message": e.message} if e.public and e.message else {})}
            for e in events
        ],
    }


def _predictions(session: Session, case: Case) -> list[dict[str, Any]]:
    rows = session.exec(select(Prediction).where(Prediction.case_id == case.id).order_by(col(Prediction.id)))
    return [{"at": p.created_at.isoformat(), "model_version": p.model_version, "ministry": p.department_code,
             "confidence": p.confidence, "reasons": p.reasons, "urgency": p.urgency,
             "urgency_reasons": p.urgency_reasons} for p in rows]


def _satisfaction(session: Session, case: Case) -> dict[str, Any] | None:
    answer = session.exec(select(SatisfactionAnswer).where(SatisfactionAnswer.case_id == case.id)).first()
    if answer is None:
        return None
    return {"at": answer.created_at.isoformat(), "answered": answer.answered, "comment": answer.comment}


def _messages(session: Session, case: Case) -> list[dict[str, Any]]:
    """The e-mails and SMS written to the citizen (not the internal grouping jobs that share the outbox)."""
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                    col(OutboxMessage.kind).in_(outbox.MESSAGE_KINDS))
                        .order_by(col(OutboxMessage.id)))
    return [{"kind": m.kind, "status": m.status, "created_at": m.created_at.isoformat(),
             "sent_at": m.sent_at.isoformat() if m.sent_at else None} for m in rows]


def _group(session: Session, case: Case) -> dict[str, Any] | None:
    row = session.exec(select(CaseGroupMember, CaseGroup).join(CaseGroup, CaseGroup.id == CaseGroupMember.group_id)
                       .where(CaseGroupMember.case_id == case.id)).first()
    if row is None:
        return None
    member, group = row
    return {"group": group.id, "joined_at": member.joined_at.isoformat(), "lead": group.lead_case_id == case.id,
            "similarity": member.similarity}


def purge_cutoff(retention_days: int, closed_before: date | None = None) -> datetime:
    """Cases closed before this moment lose their personal data: the start of ``closed_before`` (UTC) if given,
    else the retention period back from now."""
    if closed_before is None:
        return utcnow() - timedelta(days=retention_days)
    return datetime.combine(closed_before, time.min, tzinfo=UTC)
