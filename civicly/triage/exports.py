"""Case exports: for officers' reporting (their ministries), and as open data, without contact details and with
personal data redacted from free text, fit for publication."""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import IO

from sqlmodel import Session, col, select

from civicly import privacy
from civicly.models import Case, Department, Event
from civicly.models.cases import OPEN_STATUSES
from civicly.triage import admin_audit, publication
from civicly.triage.dashboard import Scope
from civicly.triage.departments import department_by_code

FORMATS = ("csv", "jsonl")
OPEN = {s.value for s in OPEN_STATUSES}
CASE_FIELDS = ("reference", "received_at", "ministry", "status", "urgency", "language", "channel", "place", "area",
               "deadline_at", "overdue", "first_response_at", "closed_at", "duplicate_of", "text")
OPEN_DATA_FIELDS = ("public_id", "received_at", "ministry", "status", "urgency", "language", "channel", "place",
                    "area", "latitude", "longitude", "deadline_at", "closed_at", "text")
# A spreadsheet runs a cell starting with one of these as a formula: exported text must never do that.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COORDINATE_DECIMALS = 3  # about 100 m: the street, not the house


@dataclass(frozen=True)
class ExportFilter:
    start: date | None = None
    end: date | None = None  # inclusive
    ministry: str = ""


class UnknownMinistry(ValueError):
    """The ministry asked for does not exist or is outside the caller's scope."""


BATCH = 500  # cases read at a time, and whose answers and closures are read in one query


def _cases(session: Session, scope: Scope, wanted: ExportFilter) -> Iterator[tuple[Case, dict[int, str], Milestones]]:
    """The cases in reception order, each with its ministry codes and milestones, read ``BATCH`` at a time: a
    national export streams a million cases without holding them, in two queries a batch."""
    codes = dict(session.exec(select(Department.id, Department.code)).all())
    query = select(Case).order_by(col(Case.created_at), col(Case.id))
    if wanted.ministry:
        department = department_by_code(session, wanted.ministry)
        if department is None or not scope.allows(department.id):
            raise UnknownMinistry(wanted.ministry)
        query = query.where(Case.department_id == department.id)
    elif scope.department_ids is not None:
        query = query.where(col(Case.department_id).in_(sorted(scope.department_ids) or [-1]))
    if wanted.start:
        query = query.where(Case.created_at >= datetime.combine(wanted.start, time.min, tzinfo=UTC))
    if wanted.end:
        query = query.where(Case.created_at < datetime.combine(wanted.end + timedelta(days=1), time.min, tzinfo=UTC))
    for batch in session.exec(query.execution_options(yield_per=BATCH)).partitions():
        milestones = _milestones(session, [case.id for case in batch])
        for case in batch:
            yield case, codes, milestones.get(case.id, NO_MILESTONES)
        for case in batch:  # written: the session does not keep a million cases in memory
            session.expunge(case)


Milestones = tuple[datetime | None, datetime | None]
NO_MILESTONES: Milestones = (None, None)


def _milestones(session: Session, case_ids: list[int]) -> dict[int, Milestones]:
    """Per case: when an officer first answered publicly, and when the case was closed."""
    found: dict[int, Milestones] = {}
    for event in session.exec(select(Event).where(col(Event.case_id).in_(case_ids),
                                                  col(Event.kind).in_(("reply", "status")))
                              .order_by(col(Event.case_id), col(Event.created_at), col(Event.id))):
        first, closed = found.get(event.case_id, NO_MILESTONES)
        if event.public and "@" in event.actor and first is None:
            first = event.created_at
        if event.kind == "status" and event.after.get("status") not in OPEN:
            closed = event.created_at
        elif event.kind == "status":
            closed = None
        found[event.case_id] = (first, closed)
    return found


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def case_rows(session: Session, scope: Scope, wanted: ExportFilter) -> Iterator[dict]:
    """Cases for reporting: routing, deadlines and answers, the text as redacted at intake, no contact details."""
    duplicates: dict[int, str] = {}
    for case, codes, (first, closed) in _cases(session, scope, wanted):
        if case.duplicate_of_id and case.duplicate_of_id not in duplicates:
            duplicates[case.duplicate_of_id] = session.get(Case, case.duplicate_of_id).reference
        yield {
            "reference": case.reference, "received_at": _iso(case.created_at),
            "ministry": codes.get(case.department_id), "status": case.status, "urgency": case.urgency,
            "language": case.language, "channel": case.channel, "place": case.place, "area": case.area_code,
            "deadline_at": _iso(case.deadline_at),
            "overdue": bool(case.deadline_at and (closed or datetime.now(UTC)) > case.deadline_at),
            "first_response_at": _iso(first), "closed_at": _iso(closed),
            "duplicate_of": duplicates.get(case.duplicate_of_id) if case.duplicate_of_id else None,
            "text": case.text_redacted,
        }


def open_data_rows(session: Session, scope: Scope, wanted: ExportFilter) -> Iterator[dict]:
    """Publishable rows: no contact, device or account fields, and never the reference (the citizen's tracking
    secret); place generalised and coordinates rounded. Only published cases (triage/publication.py) have a text,
    the approved public text redacted again with today's rules, and their public id; the others count in the
    figures without any words of their citizen."""
    for case, codes, (_first, closed) in _cases(session, scope, wanted):
        public = publication.shown_to_public(case)
        yield {
            "public_id": case.public_id if public else None, "received_at": _iso(case.created_at),
            "ministry": codes.get(case.department_id), "status": case.status, "urgency": case.urgency,
            "language": case.language, "channel": case.channel,
            "place": public_place(case.place), "area": case.area_code,  # a region or county: coarse enough to publish
            "latitude": public_coordinate(case.latitude), "longitude": public_coordinate(case.longitude),
            "deadline_at": _iso(case.deadline_at), "closed_at": _iso(closed),
            "text": privacy.redact(case.public_text or "") if public else None,
        }


def public_place(place: str | None) -> str | None:
    """A place fit for publication: generalised to its broadest part, the last after a comma ("12 rue Carnot,
    Kaolack" gives "Kaolack"), without any word holding a digit (house numbers), then redacted with today's rules."""
    broadest = (place or "").rsplit(",", 1)[-1]
    words = [word for word in broadest.split() if not any(ch.isdigit() for ch in word)]
    return privacy.redact(" ".join(words)) or None


def public_coordinate(value: float | None) -> float | None:
    """A coordinate fit for publication: rounded to about 100 m, the street and not the house."""
    return round(value, COORDINATE_DECIMALS) if value is not None else None


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export(session: Session, actor: str, kind: str, scope: Scope, wanted: ExportFilter, fmt: str,
           out: IO[str], destination: str, reader: Session | None = None) -> int:
    """Write the ``kind`` export ("cases" or "open-data") to ``out`` and record who took which cases and where
    (``destination``: "download", "stdout" or "file"); returns how many rows. The rows are read through ``reader``
    (a replica's session) when given; the audit entry is written through ``session``."""
    rows, fields = KINDS[kind]
    count = write(rows(reader or session, scope, wanted), fields, fmt, out)
    admin_audit.record(session, actor, f"export.{kind.replace('-', '_')}", wanted.ministry or "*", format=fmt,
                       start=wanted.start.isoformat() if wanted.start else None,
                       end=wanted.end.isoformat() if wanted.end else None, rows=count, destination=destination)
    return count


def write(rows: Iterable[dict], fields: tuple[str, ...], fmt: str, out: IO[str]) -> int:
    """Write rows as CSV (formula-safe cells) or JSON Lines; returns how many."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
            count += 1
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return count


KINDS = {"cases": (case_rows, CASE_FIELDS), "open-data": (open_data_rows, OPEN_DATA_FIELDS)}
