"""Response deadlines: which service level applies to a case, and the date it falls due.

A case's clock starts when the citizen wrote (``created_at``), so rerouting or re-ranking a case changes its
deadline but never gives the administration a fresh start at the citizen's expense.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from civicly.errors import CivicError
from civicly.models import Case, Department, Holiday, ServiceLevel, Urgency
from civicly.models.timestamps import utcnow
from civicly.triage import admin_audit
from civicly.triage.departments import department_by_code, normalise_code

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())
DEMO_LEVELS = (("high", 2), ("medium", 10), ("low", 30), (None, 15))
MAX_DAYS = 3650


class InvalidServiceLevel(CivicError):
    """A service level that cannot be stored (unknown ministry or urgency, impossible number of days)."""


@dataclass(frozen=True)
class ServiceLevelRow:
    """A service level as people read it: ministry code ('*' for any), urgency ('*' for any), days and kind."""

    department: str
    urgency: str
    days: int
    working_days: bool


def add_days(start: datetime, days: int, working_days: bool, holidays: frozenset[date] = frozenset()) -> datetime:
    """``start`` plus ``days`` calendar days, or plus ``days`` working days (weekends and holidays skipped)."""
    if not working_days:
        return start + timedelta(days=days)
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() not in WEEKEND and current.date() not in holidays:
            left -= 1
    return current


def level_for(session: Session, department_id: int | None, urgency: str | None) -> ServiceLevel | None:
    """The most specific service level: ministry and urgency, then ministry, then urgency, then the default."""
    rows = session.exec(select(ServiceLevel).where(
        (col(ServiceLevel.department_id) == department_id) | col(ServiceLevel.department_id).is_(None))).all()
    best: tuple[int, ServiceLevel] | None = None
    for row in rows:
        if row.urgency is not None and row.urgency != urgency:
            continue
        if row.department_id is not None and row.department_id != department_id:
            continue
        score = (2 if row.department_id is not None else 0) + (1 if row.urgency is not None else 0)
        if best is None or score > best[0]:
            best = (score, row)
    return best[1] if best else None


def holidays_between(session: Session, start: date, end: date) -> frozenset[date]:
    return frozenset(session.exec(select(Holiday.day).where(Holiday.day >= start, Holiday.day <= end)).all())


def deadline_for(session: Session, department_id: int | None, urgency: str | None,
                 start: datetime) -> datetime | None:
    """When a case routed to this ministry with this urgency, received at ``start``, must be answered.

    None when the case has no ministry yet (manual triage) or no service level applies.
    """
    if department_id is None:
        return None
    level = level_for(session, department_id, urgency)
    if level is None:
        return None
    # Each 5 working days span at most 7 calendar days; holidays add a few more: look ahead generously.
    horizon = start.date() + timedelta(days=level.days * 2 + 30)
    return add_days(start, level.days, level.working_days, holidays_between(session, start.date(), horizon))


def refresh_deadline(session: Session, case: Case) -> datetime | None:
    """Set ``case.deadline_at`` from its ministry, urgency and reception time (not committed here)."""
    case.deadline_at = deadline_for(session, case.department_id, case.urgency, case.created_at)
    return case.deadline_at


def time_left(deadline_at: datetime | None, now: datetime | None = None) -> timedelta | None:
    """Negative once overdue; None when there is no deadline."""
    return None if deadline_at is None else deadline_at - (now or utcnow())


def get_department_id(session: Session, code: str) -> int:
    department = department_by_code(session, code)
    if department is None:
        raise InvalidServiceLevel(f"no ministry has code {normalise_code(code)}")
    return department.id


def list_levels(session: Session) -> list[ServiceLevelRow]:
    codes = dict(session.exec(select(Department.id, Department.code)).all())
    rows = [ServiceLevelRow(codes.get(level.department_id, "*") if level.department_id else "*",
                            level.urgency or "*", level.days, level.working_days)
            for level in session.exec(select(ServiceLevel))]
    return sorted(rows, key=lambda r: (r.department != "*", r.department, r.urgency))


def set_level(session: Session, department_code: str, urgency: str, days: int, working_days: bool, *,
              actor: str) -> ServiceLevel:
    """Create or change a service level (audited); ``*`` (or empty) for any ministry or any urgency."""
    if not 0 < days <= MAX_DAYS:
        raise InvalidServiceLevel(f"days must be between 1 and {MAX_DAYS}")
    department_id = None if department_code in ("", "*") else get_department_id(session, department_code)
    level_name = None if urgency in ("", "*") else urgency
    if level_name is not None and level_name not in Urgency.__members__:
        raise InvalidServiceLevel("urgency must be high, medium, low or *")
    level = session.exec(select(ServiceLevel).where(
        (col(ServiceLevel.department_id).is_(None) if department_id is None
         else ServiceLevel.department_id == department_id),
        col(ServiceLevel.urgency).is_(None) if level_name is None else ServiceLevel.urgency == level_name,
    )).first()
    before = None if level is None else {"days": level.days, "working_days": level.working_days}
    level = level or ServiceLevel(department_id=department_id, urgency=level_name, days=days)
    level.days, level.working_days, level.updated_at = days, working_days, utcnow()
    session.add(level)
    target = f"{normalise_code(department_code) if department_id else '*'}/{level_name or '*'}"
    admin_audit.record(session, actor, "sla.set", target, before=before,
                       after={"days": days, "working_days": working_days})
    return level


def add_holiday(session: Session, day: date, name: str, *, actor: str) -> Holiday:
    """Add (or rename) a public holiday (audited)."""
    holiday = session.exec(select(Holiday).where(Holiday.day == day)).first()
    before = None if holiday is None else holiday.name
    holiday = holiday or Holiday(day=day, name=name)
    holiday.name = name.strip()[:200] or day.isoformat()
    session.add(holiday)
    admin_audit.record(session, actor, "holiday.set", day.isoformat(), before=before, after=holiday.name)
    return holiday


def list_holidays(session: Session, year: int | None = None) -> list[Holiday]:
    query = select(Holiday).order_by(Holiday.day)
    if year is not None:
        query = query.where(Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31))
    return list(session.exec(query))


def seed_demo_levels(session: Session) -> int:
    """Default service levels for every ministry (high 2, medium 10, low 30, unranked 15 working days); keeps
    existing ones."""
    added = 0
    for urgency, days in DEMO_LEVELS:
        exists = session.exec(select(ServiceLevel).where(
            col(ServiceLevel.department_id).is_(None),
            col(ServiceLevel.urgency).is_(None) if urgency is None else ServiceLevel.urgency == urgency)).first()
        if exists is None:
            session.add(ServiceLevel(urgency=urgency, days=days, working_days=True))
            added += 1
    return added


def seed_demo_holidays(session: Session, year: int) -> int:
    """A few holidays shared by most countries, so the working-day arithmetic shows in the demo."""
    added = 0
    for month, day, name in ((1, 1, "New Year's Day"), (5, 1, "Labour Day"), (12, 25, "Christmas Day")):
        if session.exec(select(Holiday).where(Holiday.day == date(year, month, day))).first() is None:
            session.add(Holiday(day=date(year, month, day), name=name))
            added += 1
    return added
