"""Managing ministries as data: seeding from a file, adding, renaming, deactivating."""
from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from sqlmodel import Session, select

from civicly.errors import CivicError
from civicly.languages import LANGUAGES
from civicly.models import Department
from civicly.triage import admin_audit

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "departments.csv"


class UnknownDepartment(CivicError):
    """No ministry has this code."""


def list_departments(session: Session, include_inactive: bool = True) -> list[Department]:
    query = select(Department).order_by(Department.code)
    if not include_inactive:
        query = query.where(Department.active == True)  # noqa: E712
    return list(session.exec(query))


def normalise_code(typed: str | None) -> str:
    """A ministry code as stored, from one as people type it (" sante " is SANTE)."""
    return (typed or "").strip().upper()


def department_by_code(session: Session, code: str | None, active_only: bool = False) -> Department | None:
    """The ministry ``code`` names however typed; None if none does (or it is inactive and ``active_only``)."""
    department = session.exec(select(Department).where(Department.code == normalise_code(code))).first()
    if department is None or (active_only and not department.active):
        return None
    return department


def get_department(session: Session, code: str) -> Department:
    department = department_by_code(session, code)
    if department is None:
        raise UnknownDepartment(code)
    return department


def upsert_departments(session: Session, rows: Iterable[dict[str, str]]) -> tuple[int, int]:
    """Create or update ministries from rows with ``code`` and ``name_<lang>``; returns (added, updated)."""
    added = updated = 0
    for row in rows:
        code = normalise_code(row["code"])
        department = department_by_code(session, code)
        names = {f"name_{lang}": (row.get(f"name_{lang}") or "").strip() for lang in LANGUAGES}
        if department is None:
            session.add(Department(code=code, **names))
            added += 1
        else:
            for key, value in names.items():
                if value:
                    setattr(department, key, value)
            department.active = True
            session.add(department)
            updated += 1
    return added, updated


def seed_from_file(session: Session, path: Path = DEMO_FILE) -> tuple[int, int]:
    with open(path, newline="", encoding="utf-8") as handle:
        return upsert_departments(session, csv.DictReader(handle))


def add_department(session: Session, code: str, names: dict[str, str], *, actor: str) -> Department:
    """Create a ministry (audited)."""
    code = normalise_code(code)
    if department_by_code(session, code) is not None:
        raise CivicError(f"a ministry with code {code} already exists")
    given = {k: v for k, v in names.items() if v}
    department = Department(code=code, **{f"name_{k}": v for k, v in given.items()})
    session.add(department)
    admin_audit.record(session, actor, "department.add", code, names=given)
    return department


def rename_department(session: Session, code: str, names: dict[str, str], *, actor: str) -> Department:
    """Change the names given (audited, before and after)."""
    department = get_department(session, code)
    given = {lang: value for lang, value in names.items() if value}
    before = {lang: getattr(department, f"name_{lang}") for lang in given}
    for lang, value in given.items():
        setattr(department, f"name_{lang}", value)
    session.add(department)
    admin_audit.record(session, actor, "department.rename", department.code, before=before, after=given)
    return department


def set_department_active(session: Session, code: str, active: bool, *, actor: str) -> Department:
    """Open or stop routing to a ministry (audited)."""
    department = get_department(session, code)
    before, department.active = department.active, active
    session.add(department)
    admin_audit.record(session, actor, "department.activate" if active else "department.deactivate",
                       department.code, before={"active": before}, after={"active": active})
    return department


def set_warning_threshold(session: Session, code: str, percent: int, *, actor: str) -> Department:
    """After which share of its service-level time (1-100 %) an unanswered case of this ministry alerts its holder
    or supervisors (triage/escalation.py); audited."""
    if not 1 <= percent <= 100:
        raise CivicError("the threshold is a percentage between 1 and 100")
    department = get_department(session, code)
    before, department.warn_at_percent = department.warn_at_percent, percent
    session.add(department)
    admin_audit.record(session, actor, "department.escalation", department.code, before={"warn_at_percent": before},
                       after={"warn_at_percent": percent})
    return department
