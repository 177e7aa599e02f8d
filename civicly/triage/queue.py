"""The officers' queues: their ministries' open cases, most urgent first, a page at a time."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, CompoundSelect, Select, func, union_all
from sqlmodel import Session, col, select

from civicly.models import Case, Department, Prediction, Role, User
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
    received_from: date | None = None
    received_to: date | None = None
    text: str = ""
    holder: str = ""  # "" every case of my ministries | mine | unassigned
    area: str = ""  # an ISO 3166-2 area code (areas.py)


HOLDERS = ("", "mine", "unassigned")


@dataclass(frozen=True)
class QueueRow:
    reference: str
    preview: str
    status: str
    urgency: str | None
    urgency_source: str | None
    confidence: float | None
    language: str | None
    department_code: str | None
    created_at: datetime
    deadline_at: datetime | None
    overdue: bool
    similar_open: int = 0  # open reports grouped behind this one (hidden from the queue)
    surge: bool = False
    channel: str = "web"  # how it came in: a reply to an SMS case goes by SMS
    assignee: str | None = None  # the e-mail of the officer holding the case
    area_code: str | None = None


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow] = field(default_factory=list)
    page: int = 1
    has_next: bool = False


def list_queue(session: Session, actor: Actor, filters: QueueFilters, page: int = 1,
               page_size: int = PAGE_SIZE, triage: bool = False) -> QueuePage:
    """One page of the actor's queue (or of the manual triage queue).

    Which cases the queue holds (ministries or manual triage, statuses) is given by the index ranges it is read
    from, not repeated as conditions: PostgreSQL would count both and expect far fewer rows than there are.
    """
    page = max(1, page)
    if not _may_list(actor, triage):
        return QueuePage(page=page)
    query = select(Case)
    if not filters.text:  # a search shows every matching report, grouped or not
        query = query.where(~groups.hidden_behind_lead())
    query = _held_by(_filtered(query, filters), actor, filters.holder)
    offset, limit = (page - 1) * page_size, page_size + 1
    ranges = _index_ranges(actor, triage, _statuses(filters.status))
    ids = _merged_page(session, query, ranges, offset, limit)
    return QueuePage(rows=_rows(session, ids[:page_size]), page=page, has_next=len(ids) > page_size)


def _may_list(actor: Actor, triage: bool) -> bool:
    """Manual triage is for triage officers and admins; other queues for admins and officers with a ministry."""
    if triage:
        return actor.role in (Role.triage, Role.admin)
    return actor.role == Role.admin or bool(actor.department_ids)


def _queue_order(table) -> tuple:
    """Most urgent first, then the nearest deadline, then the oldest; the id makes the order total."""
    return (col(table.urgency_rank).desc(), col(table.urgency_score).desc(), col(table.deadline_at).asc().nulls_last(),
            col(table.created_at).asc(), col(table.id).asc())


def _statuses(status_filter: str) -> list[str]:
    """The statuses a filter shows, each read as a range of its own; any other filter shows every status."""
    if status_filter == "open":
        return sorted(s.value for s in OPEN_STATUSES)
    if status_filter == "closed":
        return sorted(s.value for s in CaseStatus if s not in OPEN_STATUSES)
    if status_filter in CaseStatus.__members__:
        return [status_filter]
    return sorted(s.value for s in CaseStatus)


def _index_ranges(actor: Actor, triage: bool, statuses: list[str]) -> list[tuple]:
    """The equality conditions of the index ranges that together hold the queue, one range per condition tuple.

    Officers: (ministry, status) on ix_cases_queue_order. Manual triage: (needs_triage, status) on
    ix_cases_triage_order; the admins' queue takes both values of needs_triage there, which covers every case,
    those without a ministry included, in a handful of ranges however many ministries there are.
    """
    if triage or actor.role == Role.admin:
        flags = [True] if triage else [False, True]
        return [(Case.needs_triage == flag, Case.status == status) for flag in flags for status in statuses]
    return [(Case.department_id == department, Case.status == status)
            for department in sorted(actor.department_ids) for status in statuses]


def _merged_page(session: Session, query, ranges: list[tuple], offset: int, limit: int) -> list[int]:
    """The page's case ids, read as one ordered index range per condition tuple of ``ranges`` and merged.

    With ``department_id IN (…) AND status IN (…)`` (or no ministry at all) the index order is lost and every case
    of the queue is fetched and sorted. Here each range is read in the order of an index holding the whole queue
    order and no further than the page needs, so a page costs the same with 1,000 or 1,000,000 cases.
    """
    keys = query.with_only_columns(Case.id, Case.urgency_rank, Case.urgency_score, Case.deadline_at, Case.created_at)
    arms = [keys.where(*conditions) for conditions in ranges]
    if session.get_bind().dialect.name == "sqlite":
        page = _ordered_union(arms)
    else:
        _without_jit(session)
        page = _union_of_limited(arms, offset + limit)
    return list(session.scalars(page.offset(offset).limit(limit)).all())


def _ordered_union(arms: list[Select]) -> CompoundSelect:
    """SQLite merges the arms of an ordered UNION ALL as it reads them (``MERGE (UNION ALL)``), each in index
    order, and stops at the page; an outer query over the union would read every arm in full and sort it."""
    merged = union_all(*arms)
    return merged.order_by(*_queue_order(merged.selected_columns))


def _union_of_limited(arms: list[Select], rows_per_arm: int) -> Select:
    """PostgreSQL merges limited, index-ordered arms (``Merge Append``) and stops at the page; without each arm's
    ORDER BY … LIMIT its estimates can make it fetch and sort whole ranges instead."""
    merged = union_all(*[select(arm.order_by(*_queue_order(Case)).limit(rows_per_arm).subquery()) for arm in arms])
    merged = merged.subquery()
    return select(merged.c.id).order_by(*_queue_order(merged.c))


def _without_jit(session: Session) -> None:
    """No JIT compilation on PostgreSQL for the rest of this transaction: a deep page with filters is estimated costly
    enough to trigger it (jit_above_cost), and compiling took 0.1–1.6 s on 1M cases for a query run in 10–100 ms."""
    session.connection().exec_driver_sql("SET LOCAL jit = off")


def _filtered(query, filters: QueueFilters):
    """The filters but the status (the ranges hold it) as conditions.

    An urgency is filtered on urgency_rank, stored with it on every change (Urgency.rank, 0 when unset): an index
    column, so each range reads only that urgency's slice of the index.
    """
    if filters.urgency in Urgency.__members__:
        query = query.where(_urgency_rank_is(Urgency(filters.urgency).rank))
    elif filters.urgency == "none":
        query = query.where(_urgency_rank_is(0))
    if filters.language:
        query = query.where(Case.language == filters.language)
    if filters.area:
        query = query.where(Case.area_code == filters.area)
    if filters.received_from:
        query = query.where(Case.created_at >= _start_of(filters.received_from))
    if filters.received_to:
        query = query.where(Case.created_at < _start_of(filters.received_to + timedelta(days=1)))
    if filters.text:
        escaped = filters.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Case.text_redacted).like(f"%{escaped.lower()}%", escape="\\"))
    return query


def _held_by(query, actor: Actor, holder: str):
    """The "Mine" and "Unassigned" views of a queue (triage/assignment.py)."""
    if holder == "mine":
        return query.where(Case.assignee_id == actor.user_id)
    if holder == "unassigned":
        return query.where(col(Case.assignee_id).is_(None))
    return query


def _urgency_rank_is(rank: int) -> ColumnElement[bool]:
    """``urgency_rank = rank`` written as a range: PostgreSQL leaves a column fixed by an equality out of an index
    range's sort order, and then cannot merge the ranges in queue order (it read and sorted every range whole)."""
    return col(Case.urgency_rank).between(rank, rank)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _rows(session: Session, ids: list[int]) -> list[QueueRow]:
    """The page's rows in the order of ``ids``: each case with its latest prediction's confidence, its ministry's code
    and its holder's e-mail read in one statement (each round trip counts on a page read thousands of times a day),
    then the groups its leads head."""
    if not ids:
        return []
    confidence = (select(Prediction.confidence).where(Prediction.case_id == Case.id)
                  .order_by(col(Prediction.id).desc()).limit(1).scalar_subquery())
    found = {case.id: (case, conf, code, email) for case, conf, code, email in session.exec(
        select(Case, confidence, Department.code, User.email)
        .outerjoin(Department, col(Department.id) == Case.department_id)
        .outerjoin(User, col(User.id) == Case.assignee_id)
        .where(col(Case.id).in_(ids)))}
    grouped = groups.summaries(session, ids)
    now = utcnow()
    rows = []
    for case_id in ids:
        c, conf, code, email = found[case_id]
        rows.append(QueueRow(
            reference=c.reference,
            preview=_preview(c.text_redacted),
            status=c.status,
            urgency=c.urgency,
            urgency_source=c.urgency_source,
            confidence=conf,
            language=c.language,
            department_code=code,
            created_at=c.created_at,
            deadline_at=c.deadline_at,
            overdue=c.deadline_at is not None and c.deadline_at < now and CaseStatus(c.status).is_open,
            similar_open=grouped[c.id].similar_open if c.id in grouped else 0,
            surge=c.id in grouped and grouped[c.id].surge_at is not None,
            channel=c.channel,
            assignee=email,
            area_code=c.area_code,
        ))
    return rows


def _preview(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return first_line if len(first_line) <= PREVIEW_CHARS else first_line[: PREVIEW_CHARS - 1].rstrip() + "…"
