"""The officers' queues: their ministries' open cases, most urgent first, a page at a time."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional

from sqlalchemy import func, union_all
from sqlmodel import Session, col, select

from civicly.models import Case, Department, Prediction, Role
from civicly.models.cases import OPEN_STATUSES, CaseStatus, Urgency
from civicly.models.timestamps import utcnow
from civicly.triage import groups
from civicly.triage.permissions import Actor

PAGE_SIZE = 25
PREVIEW_CHARS = 140


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"  # open | closed | all | one CaseStatus value
    urgency: str = ""
    language: str = ""
    received_from: Optional[date] = None
    received_to: Optional[date] = None
    text: str = ""


@dataclass(frozen=True)
class QueueRow:
    reference: str
    preview: str
    status: str
    urgency: Optional[str]
    urgency_source: Optional[str]
    confidence: Optional[float]
    language: Optional[str]
    department_code: Optional[str]
    created_at: datetime
    deadline_at: Optional[datetime]
    overdue: bool
    similar_open: int = 0  # open reports grouped behind this one (hidden from the queue)
    surge: bool = False


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow] = field(default_factory=list)
    page: int = 1
    has_next: bool = False


def list_queue(session: Session, actor: Actor, filters: QueueFilters, page: int = 1,
               page_size: int = PAGE_SIZE, triage: bool = False) -> QueuePage:
    """One page of the actor's queue (or of the manual triage queue), with two queries whatever the page size."""
    page = max(1, page)
    query = select(Case)
    if triage:
        if actor.role not in (Role.triage, Role.admin):
            return QueuePage(page=page)
        query = query.where(Case.needs_triage == True)  # noqa: E712
    elif actor.role != Role.admin:
        if not actor.department_ids:
            return QueuePage(page=page)
        query = query.where(col(Case.department_id).in_(sorted(actor.department_ids)))
    if not filters.text:  # a search shows every matching report, grouped or not
        query = query.where(~groups.hidden_behind_lead())
    query = _filtered(query, filters)
    offset, limit = (page - 1) * page_size, page_size + 1
    statuses = _statuses(filters.status)
    if triage or actor.role == Role.admin or not statuses:
        cases = session.exec(query.order_by(*_queue_order(Case)).offset(offset).limit(limit)).all()
    else:
        cases = _merged_page(session, query, sorted(actor.department_ids), statuses, offset, limit)
    has_next = len(cases) > page_size
    cases = cases[:page_size]
    return QueuePage(rows=_rows(session, cases), page=page, has_next=has_next)


def _queue_order(table) -> tuple:
    """Most urgent first, then the nearest deadline, then the oldest; the id makes the order total."""
    return (col(table.urgency_rank).desc(), col(table.urgency_score).desc(), col(table.deadline_at).asc().nulls_last(),
            col(table.created_at).asc(), col(table.id).asc())


def _statuses(status_filter: str) -> list[str]:
    """The statuses a filter shows when it names a few; empty for 'closed' and 'all'."""
    if status_filter == "open":
        return sorted(s.value for s in OPEN_STATUSES)
    return [status_filter] if status_filter in CaseStatus.__members__ else []


def _merged_page(session: Session, query, departments: list[int], statuses: list[str], offset: int,
                 limit: int) -> list[Case]:
    """The page, read as one short ordered index range per (ministry, status) and merged.

    With ``department_id IN (…) AND status IN (…)`` the index order is lost and every open case of the ministries
    is fetched and sorted; each branch here stops after ``offset + limit`` rows (ix_cases_queue walks
    ``urgency_rank, urgency_score`` in order), so a page costs the same with 1,000 or 1,000,000 cases.
    """
    keys = query.with_only_columns(Case.id, Case.urgency_rank, Case.urgency_score, Case.deadline_at, Case.created_at)
    branches = [select(keys.where(Case.department_id == department, Case.status == status)
                       .order_by(*_queue_order(Case)).limit(offset + limit).subquery())
                for department in departments for status in statuses]
    merged = union_all(*branches).subquery()
    ids = session.exec(select(merged.c.id).order_by(*_queue_order(merged.c)).offset(offset).limit(limit)).all()
    found = {case.id: case for case in session.exec(select(Case).where(col(Case.id).in_(ids)))}
    return [found[i] for i in ids]


def _filtered(query, filters: QueueFilters):
    if filters.status == "open":
        query = query.where(col(Case.status).in_([s.value for s in OPEN_STATUSES]))
    elif filters.status == "closed":
        query = query.where(col(Case.status).notin_([s.value for s in OPEN_STATUSES]))
    elif filters.status in CaseStatus.__members__:
        query = query.where(Case.status == filters.status)
    if filters.urgency in Urgency.__members__:
        query = query.where(Case.urgency == filters.urgency)
    elif filters.urgency == "none":
        query = query.where(col(Case.urgency).is_(None))
    if filters.language:
        query = query.where(Case.language == filters.language)
    if filters.received_from:
        query = query.where(Case.created_at >= _start_of(filters.received_from))
    if filters.received_to:
        query = query.where(Case.created_at < _start_of(filters.received_to + timedelta(days=1)))
    if filters.text:
        escaped = filters.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Case.text_redacted).like(f"%{escaped.lower()}%", escape="\\"))
    return query


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _rows(session: Session, cases: list[Case]) -> list[QueueRow]:
    ids = [c.id for c in cases]
    confidence: dict[int, float] = {}
    if ids:
        latest = select(Prediction.case_id, Prediction.confidence).where(col(Prediction.case_id).in_(ids)).order_by(
            col(Prediction.id).asc())
        confidence = {case_id: conf for case_id, conf in session.exec(latest).all()}
    codes = dict(session.exec(select(Department.id, Department.code)).all())
    grouped = groups.summaries(session, ids)
    now = utcnow()
    return [
        QueueRow(
            reference=c.reference,
            preview=_preview(c.text_redacted),
            status=c.status,
            urgency=c.urgency,
            urgency_source=c.urgency_source,
            confidence=confidence.get(c.id),
            language=c.language,
            department_code=codes.get(c.department_id),
            created_at=c.created_at,
            deadline_at=c.deadline_at,
            overdue=c.deadline_at is not None and c.deadline_at < now and CaseStatus(c.status).is_open,
            similar_open=grouped[c.id].similar_open if c.id in grouped else 0,
            surge=c.id in grouped and grouped[c.id].surge_at is not None,
        )
        for c in cases
    ]


def _preview(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return first_line if len(first_line) <= PREVIEW_CHARS else first_line[: PREVIEW_CHARS - 1].rstrip() + "…"
