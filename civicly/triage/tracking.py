"""The public view of a case, for the citizen who holds its reference. Never any personal data."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from civicly.models import Department, Event
from civicly.references import case_by_reference

# A report merged into another follows that case's status, shown as "grouped with others about the same problem".
# Its replies and status messages are not shown: they were written to another citizen, and may name them.
GROUP_KIND = "grouped"


@dataclass(frozen=True)
class PublicEvent:
    kind: str
    at: datetime
    message: str | None = None
    department: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class PublicCase:
    reference: str
    created_at: datetime
    status: str
    department: str | None
    history: list[PublicEvent] = field(default_factory=list)


def track(session: Session, typed_reference: str, locale: str = "fr") -> PublicCase:
    """What a citizen may see of their case; raises UnknownReference for anything not found."""
    case = case_by_reference(session, typed_reference)
    departments = {d.id: d for d in session.exec(select(Department))}
    codes = {d.code: d for d in departments.values()}
    department = departments.get(case.department_id)
    own = col(Event.case_id) == case.id
    if case.duplicate_of_id:
        own = own | ((col(Event.case_id) == case.duplicate_of_id) & (col(Event.kind) == "status"))
    events = session.exec(
        select(Event).where(own, Event.public == True).order_by(Event.created_at, Event.id)  # noqa: E712
    )
    history = []
    for event in events:
        if event.case_id != case.id:  # the lead case's: its status only, never its words
            history.append(PublicEvent(kind=GROUP_KIND, at=event.created_at, status=event.after.get("status")))
            continue
        routed_to = codes.get(event.after.get("department") or "")
        history.append(PublicEvent(
            kind=event.kind,
            at=event.created_at,
            message=event.message,
            department=routed_to.name(locale) if routed_to else None,
            status=event.after.get("status"),
        ))
    return PublicCase(
        reference=case.reference,
        created_at=case.created_at,
        status=case.status,
        department=department.name(locale) if department else None,
        history=history,
    )
