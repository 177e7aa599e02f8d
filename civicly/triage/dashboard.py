"""The figures leadership reads on the dashboard, computed for one scope (all ministries, or an officer's) and period.

Plain numbers only; charts and tables are drawn from them by the admin blueprint.
"""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Subquery, and_, case, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from civicly.models import (
    Case,
    CaseGroup,
    CaseGroupMember,
    Department,
    Event,
    Label,
    Prediction,
    Role,
    SatisfactionAnswer,
)
from civicly.models.cases import OPEN_STATUSES
from civicly.models.timestamps import utcnow
from civicly.triage.departments import department_by_code
from civicly.triage.permissions import Actor

OPEN = {s.value for s in OPEN_STATUSES}
AGE_BUCKETS = (2, 7, 30, None)  # upper bounds in days of the open backlog's age groups; None: older
ROUTES = ("model", "sender", "officer", "waiting")
OFFICER_KINDS = ("reply", "status")
TOP_TOPICS = 8
UNROUTED = "—"  # the ministry "code" of cases not routed yet
NO_AREA = ""  # the area "code" of cases whose area is not known


@dataclass
class AutoRouting:
    """For one language and model version: the cases it predicted, those it routed by itself, and how many of those
    the officers reviewed and kept in the model's ministry (the promise a ministry is made)."""

    language: str
    version: str
    cases: int = 0
    auto_routed: int = 0
    reviewed: int = 0
    kept: int = 0

    @property
    def share(self) -> float:
        return self.auto_routed / self.cases if self.cases else 0.0

    @property
    def accuracy(self) -> float | None:
        return self.kept / self.reviewed if self.reviewed else None


@dataclass(frozen=True)
class Scope:
    """Which ministries' figures an actor may read; ``department_ids`` None means every ministry."""

    department_ids: frozenset[int] | None

    def allows(self, department_id: int | None) -> bool:
        return self.department_ids is None or department_id in self.department_ids


def scope_for(actor: Actor) -> Scope | None:
    """Admins read every ministry, officers their own; anyone else has no dashboard (None)."""
    if actor.role == Role.admin:
        return Scope(None)
    if actor.role == Role.officer and actor.department_ids:
        return Scope(frozenset(actor.department_ids))
    return None


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def last_weeks(cls, weeks: int, today: date | None = None) -> Period:
        today = today or utcnow().date()
        monday = today - timedelta(days=today.weekday())
        return cls(monday - timedelta(weeks=weeks - 1), today)

    def bounds(self) -> tuple[datetime, datetime]:
        return (datetime.combine(self.start, time.min, tzinfo=UTC),
                datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC))

    def weeks(self) -> list[date]:
        first = self.start - timedelta(days=self.start.weekday())
        return [first + timedelta(weeks=i) for i in range((self.end - first).days // 7 + 1)]


@dataclass(frozen=True)
class Accuracy:
    key: str
    correct: int
    total: int

    @property
    def rate(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class Compliance:
    ministry: str
    on_time: int  # closed by the deadline
    late: int  # closed after it
    overdue: int  # open, deadline passed
    in_time: int  # open, deadline ahead

    @property
    def rate(self) -> float | None:
        closed = self.on_time + self.late
        return self.on_time / closed if closed else None


@dataclass(frozen=True)
class AreaCount:
    """Cases received in the period in one administrative area (areas.py), by where they stand now."""

    area_code: str  # NO_AREA when unknown
    overdue: int  # open, deadline passed
    open_in_time: int
    closed: int

    @property
    def total(self) -> int:
        return self.overdue + self.open_in_time + self.closed


@dataclass(frozen=True)
class Topic:
    preview: str
    place: str | None
    reports: int
    surge: bool
    ministry: str


@dataclass
class Dashboard:
    period: Period
    ministries: list[str] = field(default_factory=list)  # codes present, in order of volume
    weeks: list[date] = field(default_factory=list)
    submissions: dict[str, list[int]] = field(default_factory=dict)  # ministry code (or "—") -> count per week
    backlog: dict[str, list[int]] = field(default_factory=dict)  # ministry -> open cases per age bucket
    compliance: list[Compliance] = field(default_factory=list)
    first_response_hours: dict[str, tuple[float, int]] = field(default_factory=dict)  # ministry -> (median, cases)
    routing: dict[str, int] = field(default_factory=dict)
    accuracy_by_version: list[Accuracy] = field(default_factory=list)
    accuracy_by_language: list[Accuracy] = field(default_factory=list)
    auto_routing: list[AutoRouting] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    areas: list[AreaCount] = field(default_factory=list)  # most cases first
    satisfied: int = 0
    unsatisfied: int = 0
    reopened: int = 0  # times citizens reopened a closed case ("not solved") in the period
    total_cases: int = 0
    open_cases: int = 0
    overdue_cases: int = 0

    @property
    def satisfaction_rate(self) -> float | None:
        answers = self.satisfied + self.unsatisfied
        return self.satisfied / answers if answers else None


def build(session: Session, scope: Scope, period: Period, department_code: str = "",
          now: datetime | None = None) -> Dashboard:
    """Every dashboard figure for ``scope`` (optionally one ministry) over ``period``.

    The database counts: each query returns a few rows per ministry, week, age group or area, never a row per case,
    so a national period of hundreds of thousands of cases is read in seconds and in little memory.
    """
    now = now or utcnow()
    codes = dict(session.exec(select(Department.id, Department.code)).all())
    in_scope = _in_scope(_department_filter(session, scope, department_code))
    start, end = period.bounds()
    received = and_(in_scope, Case.created_at >= start, Case.created_at < end)
    board = Dashboard(period=period, weeks=period.weeks())
    _submissions(board, session, received, codes)
    _backlog(board, session, in_scope, codes, now)
    board.compliance = _compliance(session, received, codes, now)
    board.first_response_hours = _first_response(session, received, codes)
    board.routing = _routing(session, received)
    _accuracy(board, session, in_scope, start, end)
    board.auto_routing = _auto_routing(session, received)
    board.topics = _topics(session, received, codes)
    board.areas = _areas(session, received, now)
    board.satisfied, board.unsatisfied = _satisfaction(session, in_scope, start, end)
    board.reopened = session.exec(select(func.count()).select_from(Event).join(Case, Case.id == Event.case_id).where(
        in_scope, Event.kind == "reopened", Event.created_at >= start, Event.created_at < end)).one()
    return board


def _department_filter(session: Session, scope: Scope, department_code: str) -> frozenset[int] | None:
    if department_code:
        department = department_by_code(session, department_code)
        return frozenset({department.id} if department is not None and scope.allows(department.id) else ())
    return scope.department_ids


def _in_scope(ids: frozenset[int] | None) -> ColumnElement[bool]:
    return col(Case.id).is_not(None) if ids is None else col(Case.department_id).in_(sorted(ids) or [-1])


def _code(codes: dict[int, str], department_id: int | None) -> str:
    return codes.get(department_id, UNROUTED) if department_id else UNROUTED


def _by_volume(counts: dict[str, list[int]]) -> dict[str, list[int]]:
    """Largest total first; ties by code, so the order does not depend on how the database returned the groups."""
    return dict(sorted(counts.items(), key=lambda item: (-sum(item[1]), item[0])))


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of a group meet ``condition``: a SUM of CASE, the same in SQLite and PostgreSQL."""
    return func.sum(case((condition, 1), else_=0))


class week_of(FunctionElement):
    """The Monday (a date) of a timestamp's week in UTC, so weeks end at the same instant for every reader.

    PostgreSQL stores ``timestamptz`` and would truncate in the session's time zone: it is converted to UTC first.
    SQLite stores UTC text without an offset, which its date functions read as UTC.
    """

    type = Date()
    inherit_cache = True


@compiles(week_of, "postgresql")
def _week_of_postgresql(element: week_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(date_trunc('week', timezone('UTC', {compiler.process(element.clauses, **kw)})) AS DATE)"


@compiles(week_of, "sqlite")
def _week_of_sqlite(element: week_of, compiler: SQLCompiler, **kw: Any) -> str:
    # To the next Sunday (the day itself when a Sunday), then back to its Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


def _submissions(board: Dashboard, session: Session, received: ColumnElement[bool], codes: dict[int, str]) -> None:
    """Cases received per ministry and week; also the period's total and its ministries by volume."""
    week = week_of(Case.created_at).label("week")
    rows = session.exec(select(Case.department_id, week, func.count())
                        .where(received).group_by(Case.department_id, week)).all()
    index = {monday: i for i, monday in enumerate(board.weeks)}
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(board.weeks))
    totals: Counter[str] = Counter()
    for department_id, monday, count in rows:
        code = _code(codes, department_id)
        totals[code] += count
        if monday in index:
            series[code][index[monday]] += count
    board.submissions = _by_volume(series)
    board.total_cases = sum(totals.values())
    board.ministries = sorted(totals, key=lambda code: (-totals[code], code))


def _age_group(now: datetime) -> ColumnElement[int]:
    """The AGE_BUCKETS index of an open case: its age in whole days is below N exactly when it was received after
    ``now`` minus N days."""
    bounds = [(Case.created_at > now - timedelta(days=days), i) for i, days in enumerate(AGE_BUCKETS) if days]
    return case(*bounds, else_=len(AGE_BUCKETS) - 1)


def _backlog(board: Dashboard, session: Session, in_scope: ColumnElement[bool], codes: dict[int, str],
             now: datetime) -> None:
    """Open cases, whenever received, per ministry and age group; also how many are open and how many overdue."""
    age = _age_group(now).label("age")
    rows = session.exec(select(Case.department_id, age, func.count(), _count_if(Case.deadline_at < now))
                        .where(in_scope, col(Case.status).in_(OPEN)).group_by(Case.department_id, age)).all()
    backlog: dict[str, list[int]] = defaultdict(lambda: [0] * len(AGE_BUCKETS))
    for department_id, bucket, count, overdue in rows:
        backlog[_code(codes, department_id)][bucket] += count
        board.open_cases += count
        board.overdue_cases += overdue
    board.backlog = _by_volume(backlog)


def _by_officer() -> ColumnElement[bool]:
    """Events of people (an email address), not of the system, a model or a citizen."""
    return col(Event.actor).contains("@")


def _closings(received: ColumnElement[bool]) -> Subquery:
    """When an officer first set each of the period's cases to a closed status (a status change whose new status is
    not an open one)."""
    status = col(Event.after)["status"].as_string()
    return (select(Event.case_id, func.min(Event.created_at).label("closed_at"))
            .join(Case, Case.id == Event.case_id)
            .where(received, Event.kind == "status", _by_officer(), or_(status.is_(None), status.not_in(OPEN)))
            .group_by(Event.case_id).subquery())


def _compliance(session: Session, received: ColumnElement[bool], codes: dict[int, str],
                now: datetime) -> list[Compliance]:
    """The period's cases with a deadline, per ministry: closed by it or after it (when an officer closed them, or
    else their last update), open with it passed or ahead."""
    closings = _closings(received)
    closed_at = func.coalesce(closings.c.closed_at, Case.updated_at)
    is_open = col(Case.status).in_(OPEN)
    # The index of its count in Compliance: on_time, late, overdue, in_time.
    standing = case((is_open & (col(Case.deadline_at) < now), 2), (is_open, 3), (closed_at <= Case.deadline_at, 0),
                    else_=1).label("standing")
    rows = session.exec(select(Case.department_id, standing, func.count())
                        .outerjoin(closings, closings.c.case_id == Case.id)
                        .where(received, col(Case.deadline_at).is_not(None))
                        .group_by(Case.department_id, standing)).all()
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for department_id, column, count in rows:
        tally[_code(codes, department_id)][column] += count
    return [Compliance(code, *row) for code, row in sorted(tally.items())]


def _first_response(session: Session, received: ColumnElement[bool],
                    codes: dict[int, str]) -> dict[str, tuple[float, int]]:
    """Median hours from reception to the first public reply or status change by an officer, per ministry.

    A median needs every value: one row per answered case, its first answer found by the database.
    """
    rows = session.exec(select(Case.department_id, Case.created_at, func.min(Event.created_at))
                        .join(Event, Event.case_id == Case.id)
                        .where(received, col(Event.kind).in_(OFFICER_KINDS), _by_officer(), col(Event.public))
                        .group_by(Case.id, Case.department_id, Case.created_at))
    waits: dict[str, list[float]] = defaultdict(list)
    for department_id, created_at, answered_at in rows:
        waits[_code(codes, department_id)].append((answered_at - created_at).total_seconds() / 3600)
    return {code: (statistics.median(hours), len(hours)) for code, hours in sorted(waits.items())}


def _routing(session: Session, received: ColumnElement[bool]) -> dict[str, int]:
    """Who sent each case of the period to its ministry (its first "routed" event): the model, the sender's choice,
    an officer; with no such event, an officer if it has a ministry, else nobody yet ("waiting")."""
    routes = _first_routes(received)
    route = func.coalesce(routes.c.route, case((col(Case.department_id).is_(None), "waiting"),
                                               else_="officer")).label("route")
    counts = dict(session.exec(select(route, func.count()).select_from(Case)
                               .outerjoin(routes, routes.c.case_id == Case.id)
                               .where(received).group_by(route)).all())
    return {name: counts.get(name, 0) for name in ROUTES}


def _first_routes(received: ColumnElement[bool]) -> Subquery:
    """Per routed case of the period, who sent its first "routed" event: "model", "sender" or "officer".

    Found in one pass over the events: the first event is the model's when the first of the model's events is the
    first of all, and likewise for the sender's. Joining each first event back by its id would read the whole events
    table a second time.
    """
    first = func.min(Event.id)
    by_model = func.min(case((col(Event.actor).startswith("model:"), Event.id)))
    by_sender = func.min(case((col(Event.after)["chosen_by"].as_string() == "sender", Event.id)))
    route = case((by_model == first, "model"), (by_sender == first, "sender"), else_="officer")
    return (select(Event.case_id, route.label("route")).join(Case, Case.id == Event.case_id)
            .where(received, Event.kind == "routed").group_by(Event.case_id).subquery())


def _accuracy(board: Dashboard, session: Session, in_scope: ColumnElement[bool], start: datetime,
              end: datetime) -> None:
    """The model's ministry against the officers' final decision (the latest label of each case given in the
    period), by model version and by language."""
    latest = (select(func.max(Label.id).label("label_id")).join(Case, Case.id == Label.case_id)
              .where(in_scope, Label.created_at >= start, Label.created_at < end,
                     col(Label.model_version).is_not(None))
              .group_by(Label.case_id).subquery())
    right = _count_if(col(Label.predicted_department).is_not_distinct_from(Label.department_code))
    rows = session.exec(select(Label.model_version, Label.language, right, func.count())
                        .join(latest, latest.c.label_id == Label.id)
                        .group_by(Label.model_version, Label.language)).all()
    by_version: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_language: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for version, language, correct, total in rows:
        for tally, key in ((by_version, version), (by_language, language or "—")):
            tally[key][0] += correct
            tally[key][1] += total
    board.accuracy_by_version = [Accuracy(k, *v) for k, v in sorted(by_version.items())]
    board.accuracy_by_language = [Accuracy(k, *v) for k, v in sorted(by_language.items())]


def _auto_routing(session: Session, received: ColumnElement[bool]) -> list[AutoRouting]:
    """Cases received in the period, by the language and model version of their first prediction: the share the
    model routed by itself, and among those the officers later reviewed, the share left in the model's ministry
    (the latest label of each case, whenever it was given)."""
    first = (select(func.min(Prediction.id).label("prediction_id")).join(Case, Case.id == Prediction.case_id)
             .where(received).group_by(Prediction.case_id).subquery())
    final = (select(Label.case_id, func.max(Label.id).label("label_id")).join(Case, Case.id == Label.case_id)
             .where(received).group_by(Label.case_id).subquery())
    auto = col(Prediction.auto_routed).is_(True)
    reviewed = auto & final.c.label_id.is_not(None)
    kept = reviewed & col(Label.department_code).is_not_distinct_from(Prediction.department_code)
    rows = session.exec(select(Prediction.language, Prediction.model_version, func.count(), _count_if(auto),
                               _count_if(reviewed), _count_if(kept))
                        .join(first, first.c.prediction_id == Prediction.id)
                        .outerjoin(final, final.c.case_id == Prediction.case_id)
                        .outerjoin(Label, Label.id == final.c.label_id)
                        .group_by(Prediction.language, Prediction.model_version)).all()
    tallies: dict[tuple[str, str], AutoRouting] = {}
    for language, version, cases, auto_routed, reviewed_count, kept_count in rows:
        key = (language or "—", version)
        tally = tallies.setdefault(key, AutoRouting(*key))
        tally.cases += cases
        tally.auto_routed += auto_routed
        tally.reviewed += reviewed_count
        tally.kept += kept_count
    return [tallies[key] for key in sorted(tallies)]


def _areas(session: Session, received: ColumnElement[bool], now: datetime) -> list[AreaCount]:
    """The period's cases per area by where they stand now: overdue, open in time (or without deadline), closed."""
    is_open = col(Case.status).in_(OPEN)
    # The index of its count in AreaCount: overdue, open_in_time, closed.
    standing = case((~is_open, 2), (col(Case.deadline_at) < now, 0), else_=1).label("standing")
    rows = session.exec(select(Case.area_code, standing, func.count())
                        .where(received).group_by(Case.area_code, standing)).all()
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for area_code, column, count in rows:
        tally[area_code or NO_AREA][column] += count
    counts = [AreaCount(code, *row) for code, row in tally.items()]
    return sorted(counts, key=lambda count: (count.area_code == NO_AREA, -count.total, count.area_code))


def _topics(session: Session, received: ColumnElement[bool], codes: dict[int, str]) -> list[Topic]:
    """The largest groups of similar reports received in the period: the problems citizens raise again and again."""
    reports = func.count().label("reports")
    sizes = session.exec(select(CaseGroupMember.group_id, reports).join(Case, Case.id == CaseGroupMember.case_id)
                         .where(received).group_by(CaseGroupMember.group_id)
                         .order_by(reports.desc(), CaseGroupMember.group_id).limit(TOP_TOPICS)).all()
    topics = []
    for group_id, count in sizes:
        group = session.get(CaseGroup, group_id)
        lead = session.get(Case, group.lead_case_id)
        preview = lead.text_redacted.strip().splitlines()[0][:80] if lead.text_redacted.strip() else lead.reference
        topics.append(Topic(preview, lead.place, count, group.surge_at is not None, _code(codes, group.department_id)))
    return topics


def _satisfaction(session: Session, in_scope: ColumnElement[bool], start: datetime, end: datetime) -> tuple[int, int]:
    """Citizens' answers given in the period to "is it solved?": (yes, no)."""
    answers = dict(session.exec(select(SatisfactionAnswer.answered, func.count())
                                .join(Case, Case.id == SatisfactionAnswer.case_id)
                                .where(in_scope, SatisfactionAnswer.created_at >= start,
                                       SatisfactionAnswer.created_at < end)
                                .group_by(SatisfactionAnswer.answered)).all())
    return answers.get(True, 0), answers.get(False, 0)
