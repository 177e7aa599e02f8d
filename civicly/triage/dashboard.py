"""The figures leadership reads on the dashboard, computed for one scope (all ministries, or an officer's) and period.

Plain numbers only; charts and tables are drawn from them by the admin blueprint.
"""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlalchemy.engine import Row
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


# The columns the figures read, never the texts: a national dashboard counts hundreds of thousands of open cases.
PERIOD_COLUMNS = (Case.id, Case.created_at, Case.updated_at, Case.department_id, Case.deadline_at, Case.status,
                  Case.area_code)
BACKLOG_COLUMNS = (Case.created_at, Case.department_id, Case.deadline_at)


def build(session: Session, scope: Scope, period: Period, department_code: str = "",
          now: datetime | None = None) -> Dashboard:
    """Every dashboard figure for ``scope`` (optionally one ministry) over ``period``."""
    now = now or utcnow()
    codes = dict(session.exec(select(Department.id, Department.code)).all())
    ids = _department_filter(session, scope, department_code)
    start, end = period.bounds()
    in_scope = _in_scope(ids)
    cases = list(session.exec(select(*PERIOD_COLUMNS).where(in_scope, Case.created_at >= start, Case.created_at < end)))
    open_cases = list(session.exec(select(*BACKLOG_COLUMNS).where(in_scope, col(Case.status).in_(OPEN))))
    events = _officer_events(session, in_scope, start, end)
    board = Dashboard(period=period, weeks=period.weeks(), total_cases=len(cases), open_cases=len(open_cases))
    _submissions(board, cases, codes)
    _backlog(board, open_cases, codes, now)
    _compliance(board, cases, events, codes, now)
    _first_response(board, cases, events, codes)
    board.routing = _routing(session, in_scope, cases, start, end)
    _accuracy(board, session, in_scope, start, end)
    board.auto_routing = _auto_routing(session, in_scope, start, end)
    board.topics = _topics(session, in_scope, codes, start, end)
    board.areas = _areas(cases, now)
    answers = session.exec(select(SatisfactionAnswer.answered).join(Case, Case.id == SatisfactionAnswer.case_id)
                           .where(in_scope, SatisfactionAnswer.created_at >= start,
                                  SatisfactionAnswer.created_at < end)).all()
    board.satisfied, board.unsatisfied = sum(1 for a in answers if a), sum(1 for a in answers if not a)
    board.reopened = session.exec(select(func.count()).select_from(Event).join(Case, Case.id == Event.case_id).where(
        in_scope, Event.kind == "reopened", Event.created_at >= start, Event.created_at < end)).one()
    board.overdue_cases = sum(1 for c in open_cases if c.deadline_at is not None and c.deadline_at < now)
    board.ministries = [code for code, _n in Counter(_code(codes, c.department_id) for c in cases).most_common()]
    return board


def _department_filter(session: Session, scope: Scope, department_code: str) -> frozenset[int] | None:
    if department_code:
        department = department_by_code(session, department_code)
        return frozenset({department.id} if department is not None and scope.allows(department.id) else ())
    return scope.department_ids


def _in_scope(ids: frozenset[int] | None):
    return col(Case.id).is_not(None) if ids is None else col(Case.department_id).in_(sorted(ids) or [-1])


def _code(codes: dict[int, str], department_id: int | None) -> str:
    return codes.get(department_id, UNROUTED) if department_id else UNROUTED


def _officer_events(session: Session, in_scope, start: datetime, end: datetime) -> dict[int, list[Event]]:
    """Replies and status changes by people (not the system), per case received in the period."""
    rows = session.exec(select(Event).join(Case, Case.id == Event.case_id)
                        .where(in_scope, Case.created_at >= start, Case.created_at < end,
                               col(Event.kind).in_(OFFICER_KINDS), col(Event.actor).contains("@"))
                        .order_by(col(Event.created_at), col(Event.id)))
    events: dict[int, list[Event]] = defaultdict(list)
    for event in rows:
        events[event.case_id].append(event)
    return events


def _submissions(board: Dashboard, cases: list[Row], codes: dict[int, str]) -> None:
    index = {week: i for i, week in enumerate(board.weeks)}
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(board.weeks))
    for case in cases:
        day = case.created_at.date()
        week = day - timedelta(days=day.weekday())
        if week in index:
            series[_code(codes, case.department_id)][index[week]] += 1
    board.submissions = dict(sorted(series.items(), key=lambda item: -sum(item[1])))


def _backlog(board: Dashboard, open_cases: list[Row], codes: dict[int, str], now: datetime) -> None:
    backlog: dict[str, list[int]] = defaultdict(lambda: [0] * len(AGE_BUCKETS))
    for case in open_cases:
        age = (now - case.created_at).days
        bucket = next(i for i, days in enumerate(AGE_BUCKETS) if days is None or age < days)
        backlog[_code(codes, case.department_id)][bucket] += 1
    board.backlog = dict(sorted(backlog.items(), key=lambda item: -sum(item[1])))


def _closed_at(events: list[Event]) -> datetime | None:
    for event in events:
        if event.kind == "status" and event.after.get("status") not in OPEN:
            return event.created_at
    return None


def _compliance(board: Dashboard, cases: list[Row], events: dict[int, list[Event]], codes: dict[int, str],
                now: datetime) -> None:
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for case in cases:
        if case.deadline_at is None:
            continue
        row = tally[_code(codes, case.department_id)]
        if case.status in OPEN:
            row[2 if case.deadline_at < now else 3] += 1
        else:
            closed = _closed_at(events.get(case.id, [])) or case.updated_at
            row[0 if closed <= case.deadline_at else 1] += 1
    board.compliance = sorted((Compliance(code, *row) for code, row in tally.items()), key=lambda c: c.ministry)


def _first_response(board: Dashboard, cases: list[Row], events: dict[int, list[Event]], codes: dict[int, str]) -> None:
    """Median hours from reception to the first public reply or status change by an officer, per ministry."""
    waits: dict[str, list[float]] = defaultdict(list)
    for case in cases:
        first = next((e for e in events.get(case.id, []) if e.public), None)
        if first is not None:
            waits[_code(codes, case.department_id)].append((first.created_at - case.created_at).total_seconds() / 3600)
    board.first_response_hours = {code: (statistics.median(hours), len(hours)) for code, hours in sorted(waits.items())}


def _routing(session: Session, in_scope, cases: list[Row], start: datetime, end: datetime) -> dict[str, int]:
    """Who sent each case of the period to its ministry: the model, the sender's choice, an officer, or nobody yet."""
    routed_by: dict[int, str] = {}
    rows = session.exec(select(Event.case_id, Event.actor, Event.after).join(Case, Case.id == Event.case_id)
                        .where(in_scope, Case.created_at >= start, Case.created_at < end, Event.kind == "routed")
                        .order_by(col(Event.id)))
    for case_id, actor, after in rows:
        routed_by.setdefault(case_id, "model" if actor.startswith("model:") else
                             "sender" if after.get("chosen_by") == "sender" else "officer")
    counts = Counter(routed_by.get(c.id, "waiting" if c.department_id is None else "officer") for c in cases)
    return {route: counts.get(route, 0) for route in ROUTES}


def _accuracy(board: Dashboard, session: Session, in_scope, start: datetime, end: datetime) -> None:
    """The model's ministry against the officers' final decision (the latest label of each case)."""
    latest: dict[int, Label] = {}
    for label in session.exec(select(Label).join(Case, Case.id == Label.case_id)
                              .where(in_scope, Label.created_at >= start, Label.created_at < end,
                                     col(Label.model_version).is_not(None)).order_by(col(Label.id))):
        latest[label.case_id] = label
    by_version: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_language: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for label in latest.values():
        right = int(label.predicted_department == label.department_code)
        for tally, key in ((by_version, label.model_version), (by_language, label.language or "—")):
            tally[key][0] += right
            tally[key][1] += 1
    board.accuracy_by_version = [Accuracy(k, *v) for k, v in sorted(by_version.items())]
    board.accuracy_by_language = [Accuracy(k, *v) for k, v in sorted(by_language.items())]


def _auto_routing(session: Session, in_scope, start: datetime, end: datetime) -> list[AutoRouting]:
    """Cases received in the period, by the language and model version of their first prediction: the share the
    model routed by itself, and among those the officers later reviewed, the share left in the model's ministry
    (the latest label of each case, whenever it was given)."""
    first: dict[int, Row] = {}
    for prediction in session.exec(select(Prediction.case_id, Prediction.language, Prediction.model_version,
                                          Prediction.auto_routed, Prediction.department_code)
                                   .join(Case, Case.id == Prediction.case_id)
                                   .where(in_scope, Case.created_at >= start, Case.created_at < end)
                                   .order_by(col(Prediction.id).desc())):
        first[prediction.case_id] = prediction
    # The period's cases by the same join, not as a list: a national period holds more than a query's parameters.
    final: dict[int, str | None] = {}
    for case_id, code in session.exec(select(Label.case_id, Label.department_code)
                                      .join(Case, Case.id == Label.case_id)
                                      .where(in_scope, Case.created_at >= start, Case.created_at < end)
                                      .order_by(col(Label.id))):
        final[case_id] = code
    tallies: dict[tuple[str, str], AutoRouting] = {}
    for case_id, prediction in first.items():
        key = (prediction.language or "—", prediction.model_version)
        tally = tallies.setdefault(key, AutoRouting(*key))
        tally.cases += 1
        if prediction.auto_routed:
            tally.auto_routed += 1
            if case_id in final:
                tally.reviewed += 1
                tally.kept += int(final[case_id] == prediction.department_code)
    return [tallies[key] for key in sorted(tallies)]


def _areas(cases: list[Row], now: datetime) -> list[AreaCount]:
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for case in cases:
        row = tally[case.area_code or NO_AREA]
        if case.status not in OPEN:
            row[2] += 1
        else:
            row[0 if case.deadline_at is not None and case.deadline_at < now else 1] += 1
    counts = [AreaCount(code, *row) for code, row in tally.items()]
    return sorted(counts, key=lambda count: (count.area_code == NO_AREA, -count.total, count.area_code))


def _topics(session: Session, in_scope, codes: dict[int, str], start: datetime, end: datetime) -> list[Topic]:
    """The largest groups of similar reports received in the period: the problems citizens raise again and again."""
    sizes = Counter(session.exec(select(CaseGroupMember.group_id).join(Case, Case.id == CaseGroupMember.case_id)
                                 .where(in_scope, Case.created_at >= start, Case.created_at < end)).all())
    topics = []
    for group_id, count in sizes.most_common(TOP_TOPICS):
        group = session.get(CaseGroup, group_id)
        lead = session.get(Case, group.lead_case_id)
        preview = lead.text_redacted.strip().splitlines()[0][:80] if lead.text_redacted.strip() else lead.reference
        topics.append(Topic(preview, lead.place, count, group.surge_at is not None, _code(codes, group.department_id)))
    return topics
