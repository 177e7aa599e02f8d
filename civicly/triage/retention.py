"""Personal data over time: erasing contact details after the retention period, and a citizen's data on request."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from civicly.models import Case, Department, Event
from civicly.models.cases import OPEN_STATUSES
from civicly.models.timestamps import utcnow
from civicly.references import case_by_reference

CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone", "device_id", "account_id")


def _purgeable(closed_before: datetime):
    has_contact = [col(getattr(Case, name)).is_not(None) for name in CONTACT_FIELDS]
    return select(Case.id).where(
        col(Case.status).notin_([s.value for s in OPEN_STATUSES]),
        col(Case.updated_at) < closed_before,
        or_(*has_contact),
    )


def count_purgeable(session: Session, closed_before: datetime) -> int:
    return len(session.exec(_purgeable(closed_before)).all())


def purge_contacts(session: Session, closed_before: datetime, actor: str) -> int:
    """Erase contact details of cases closed before ``closed_before``; one Event per case says it was done.

    The text itself stays (officers and statistics need it), but it is already redacted wherever it leaves the case
    page.
    """
    cases = session.exec(_purgeable(closed_before)).all()
    for case_id in cases:
        session.execute(update(Case).where(col(Case.id) == case_id).values({name: None for name in CONTACT_FIELDS}))
        session.add(Event(case_id=case_id, kind="purged", actor=actor,
                          after={"erased": list(CONTACT_FIELDS), "closed_before": closed_before.isoformat()}))
    return len(cases)


def export_personal_data(session: Session, typed_reference: str) -> dict[str, Any]:
    """Everything Civicly holds about one case, for a citizen exercising their right of access."""
    case = case_by_reference(session, typed_reference)
    department = session.get(Department, case.department_id) if case.department_id else None
    events = session.exec(select(Event).where(Event.case_id == case.id).order_by(col(Event.id)))
    return {
        "reference": case.reference,
        "submitted_at": case.created_at.isoformat(),
        "text": case.text,
        "place": case.place,
        "language": case.language,
        "channel": case.channel,
        "contact": {"name": case.contact_name, "email": case.contact_email, "phone": case.contact_phone,
                    "device_id": case.device_id, "account_id": case.account_id},
        "location": {"latitude": case.latitude, "longitude": case.longitude, "address_id": case.address_id},
        "status": case.status,
        "ministry": department.code if department else None,
        "history": [
            {"at": e.created_at.isoformat(), "kind": e.kind, "public": e.public,
             **({"message": e.message} if e.public and e.message else {})}
            for e in events
        ],
    }


def purge_cutoff(retention_days: int, closed_before: date | None = None) -> datetime:
    """Cases closed before this moment lose their contact details: the start of ``closed_before`` (UTC) if given,
    else the retention period back from now."""
    if closed_before is None:
        return utcnow() - timedelta(days=retention_days)
    return datetime.combine(closed_before, time.min, tzinfo=UTC)
