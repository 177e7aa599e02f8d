"""Every dashboard figure on a small history whose answers are known by hand: week and period boundaries, backlog ages
on their bounds, cases without a deadline or an area, closings by an officer's status change or by the last update,
first routing events, latest labels and first predictions."""
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from civicly.models import CaseGroup, CaseGroupMember, Event, Label, Prediction, SatisfactionAnswer
from civicly.triage.dashboard import NO_AREA, UNROUTED, Accuracy, AreaCount, Compliance, Period, Scope, build
from civicly.triage.departments import department_by_code
from tests.conftest import file_case

NOW = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)  # a Wednesday
PERIOD = Period(date(2025, 3, 3), date(2025, 3, 12))  # the weeks of Monday 3 and Monday 10 March
OFFICER = "awa@sante.gouv.sn"


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute, second, tzinfo=UTC)


def case_at(session, number: int, received: datetime, department: str, status: str = "new",
            deadline: datetime | None = None, updated: datetime | None = None, area: str | None = None,
            routed_to: str = ""):
    """A case as it stands at NOW; ``routed_to`` gives an unrouted case's ministry without a routing event."""
    case = file_case(session, f"Report number {number} about the health post of district {number}",
                     department=department, received_at=received)
    case.status, case.deadline_at, case.area_code, case.updated_at = status, deadline, area, updated or received
    if routed_to:
        case.department_id = department_by_code(session, routed_to).id
    session.add(case)
    return case


def event(session, case, kind: str, actor: str, created: datetime, public: bool = True, **after) -> None:
    session.add(Event(case_id=case.id, kind=kind, actor=actor, public=public, after=after, created_at=created))


def label(session, case, department: str, predicted: str, created: datetime, version: str | None = "v1",
          language: str | None = "fr") -> None:
    session.add(Label(case_id=case.id, text="redacted", kind="confirm", decided_by=OFFICER, department_code=department,
                      predicted_department=predicted, model_version=version, language=language, created_at=created))


def prediction(session, case, version: str, department: str, auto: bool, language: str | None = "fr") -> None:
    session.add(Prediction(case_id=case.id, model_version=version, department_code=department, auto_routed=auto,
                           language=language, created_at=case.created_at))


@pytest.fixture
def history(seeded):
    s = seeded
    c1 = case_at(s, 1, at(9, 23, 59, 59), "SANTE", "resolved", deadline=at(11), updated=at(12), area="SN-KL")
    c2 = case_at(s, 2, at(10), "SANTE", "resolved", deadline=at(11), updated=at(11, 6), area="SN-KL")
    c3 = case_at(s, 3, at(4, 12), "SANTE", "new", deadline=at(11), area="SN-TH")
    c4 = case_at(s, 4, at(5, 12), "SANTE", "in_progress", deadline=at(20))  # exactly 7 days old
    c5 = case_at(s, 5, at(11, 12), "SANTE", "resolved", area="")  # no deadline
    c6 = case_at(s, 6, at(6), "", routed_to="EDUCATION", area="SN-KL")
    case_at(s, 7, at(7), "")  # waiting in manual triage
    c8 = case_at(s, 8, at(2, 23, 59, 59), "SANTE", "new", deadline=at(10))  # a second before the period
    case_at(s, 9, at(1, month=2), "SANTE", "acknowledged")
    c10 = case_at(s, 10, at(10, 12), "", routed_to="EDUCATION")  # exactly 2 days old
    c11 = case_at(s, 11, at(11, 13), "", routed_to="EDUCATION")
    case_at(s, 12, at(1, month=1), "SANTE", "resolved")  # closed long ago: in no figure
    s.flush()
    # c1 closed by an officer before its deadline, although last updated after it.
    event(s, c1, "reply", OFFICER, at(10, 5, 59, 59))
    event(s, c1, "status", OFFICER, at(10, 9), status="resolved")
    event(s, c1, "routed", OFFICER, at(10, 10), department="SANTE")  # not its first routing
    # c2: only the system closed it, so its last update counts, after the deadline; a private note is no response.
    event(s, c2, "status", "system", at(10, 1), status="resolved")
    event(s, c2, "reply", OFFICER, at(10, 1), public=False)
    event(s, c2, "status", OFFICER, at(10, 10), status="in_progress")
    event(s, c2, "reopened", "citizen:web", at(11))
    event(s, c8, "reopened", "citizen:web", at(1))  # before the period
    event(s, c5, "reply", OFFICER, at(12, 8))
    event(s, c6, "reply", "ali@education.gouv.sn", at(6, 2))
    event(s, c10, "routed", "model:v1", at(10, 12), department="EDUCATION")
    event(s, c10, "routed", OFFICER, at(10, 13), department="EDUCATION")
    event(s, c11, "routed", OFFICER, at(11, 14), department="EDUCATION")
    label(s, c1, "SANTE", "SANTE", at(10))
    label(s, c1, "EDUCATION", "SANTE", at(11))  # the latest decision counts
    label(s, c2, "SANTE", "SANTE", at(10), language="en")
    label(s, c3, "SANTE", "EDUCATION", at(10), version="v2", language=None)
    label(s, c4, "SANTE", "SANTE", at(10), version=None)  # no model involved
    label(s, c5, "SANTE", "SANTE", at(20, month=2), version="v2")  # before the period
    prediction(s, c1, "v1", "SANTE", True)
    prediction(s, c1, "v2", "EDUCATION", False)  # predicted again later: the first prediction counts
    prediction(s, c2, "v1", "SANTE", True, language="en")
    prediction(s, c3, "v1", "SANTE", False)
    prediction(s, c4, "v1", "SANTE", True)
    prediction(s, c5, "v1", "SANTE", True)
    prediction(s, c8, "v1", "SANTE", True)
    prediction(s, c10, "v2", "EDUCATION", True, language=None)
    s.add(SatisfactionAnswer(case_id=c1.id, answered=True, created_at=at(11)))
    s.add(SatisfactionAnswer(case_id=c2.id, answered=False, created_at=at(11)))
    s.add(SatisfactionAnswer(case_id=c5.id, answered=True, created_at=at(20, month=2)))
    s.flush()
    health = department_by_code(s, "SANTE").id
    education = department_by_code(s, "EDUCATION").id
    groups = [CaseGroup(department_id=health, lead_case_id=c1.id),
              CaseGroup(department_id=education, lead_case_id=c6.id, surge_at=at(6))]
    s.add_all(groups)
    s.flush()
    s.add_all([CaseGroupMember(case_id=c.id, group_id=g.id) for g, members in zip(groups, [(c1, c2, c8), (c6,)],
                                                                                  strict=True) for c in members])
    s.commit()
    return education


def in_another_time_zone(session) -> None:
    """A server whose sessions are not in UTC must not move a case across a week boundary."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL TIME ZONE 'Pacific/Kiritimati'"))


def test_every_figure_for_all_ministries(seeded, history):
    in_another_time_zone(seeded)
    board = build(seeded, Scope(None), PERIOD, now=NOW)
    assert board.weeks == [date(2025, 3, 3), date(2025, 3, 10)]
    assert (board.total_cases, board.open_cases, board.overdue_cases) == (9, 8, 2)
    assert board.ministries == ["SANTE", "EDUCATION", UNROUTED]
    assert board.submissions == {"SANTE": [3, 2], "EDUCATION": [1, 2], UNROUTED: [1, 0]}
    assert list(board.submissions) == board.ministries
    assert board.backlog == {"SANTE": [0, 0, 3, 1], "EDUCATION": [1, 2, 0, 0], UNROUTED: [0, 1, 0, 0]}
    assert list(board.backlog) == ["SANTE", "EDUCATION", UNROUTED]
    assert board.compliance == [Compliance("SANTE", on_time=1, late=1, overdue=1, in_time=1)]
    assert board.first_response_hours == {"EDUCATION": (2.0, 1), "SANTE": (10.0, 3)}
    assert board.routing == {"model": 1, "sender": 5, "officer": 2, "waiting": 1}
    assert board.accuracy_by_version == [Accuracy("v1", 1, 2), Accuracy("v2", 0, 1)]
    assert board.accuracy_by_language == [Accuracy("en", 1, 1), Accuracy("fr", 0, 1), Accuracy("—", 0, 1)]
    assert [(a.language, a.version, a.cases, a.auto_routed, a.reviewed, a.kept) for a in board.auto_routing] == [
        ("en", "v1", 1, 1, 1, 1), ("fr", "v1", 4, 3, 3, 2), ("—", "v2", 1, 1, 0, 0)]
    assert [(t.reports, t.surge, t.ministry) for t in board.topics] == [(2, False, "SANTE"), (1, True, "EDUCATION")]
    assert board.topics[0].preview == "Report number 1 about the health post of district 1"
    assert board.areas == [AreaCount("SN-KL", 0, 1, 2), AreaCount("SN-TH", 1, 0, 0), AreaCount(NO_AREA, 0, 4, 1)]
    assert (board.satisfied, board.unsatisfied, board.reopened) == (1, 1, 1)


def test_an_officers_figures_hold_only_their_ministry(seeded, history):
    education = history
    board = build(seeded, Scope(frozenset({education})), PERIOD, now=NOW)
    assert (board.total_cases, board.open_cases, board.overdue_cases) == (3, 3, 0)
    assert board.submissions == {"EDUCATION": [1, 2]} and board.backlog == {"EDUCATION": [1, 2, 0, 0]}
    assert board.compliance == [] and board.first_response_hours == {"EDUCATION": (2.0, 1)}
    assert board.routing == {"model": 1, "sender": 0, "officer": 2, "waiting": 0}
    assert [(t.reports, t.ministry) for t in board.topics] == [(1, "EDUCATION")]
    assert board.areas == [AreaCount("SN-KL", 0, 1, 0), AreaCount(NO_AREA, 0, 2, 0)]
    assert (board.satisfied, board.unsatisfied, board.reopened) == (0, 0, 0)
    assert build(seeded, Scope(frozenset({education})), PERIOD, "SANTE", now=NOW).total_cases == 0
    assert build(seeded, Scope(None), PERIOD, "SANTE", now=NOW).backlog == {"SANTE": [0, 0, 3, 1]}


def test_an_empty_period_has_empty_figures(seeded, history):
    board = build(seeded, Scope(None), Period(date(2024, 6, 3), date(2024, 6, 9)), now=NOW)
    assert board.total_cases == 0 and board.submissions == {} and board.ministries == []
    assert board.routing == {"model": 0, "sender": 0, "officer": 0, "waiting": 0}
    assert board.open_cases == 8 and board.compliance == [] and board.areas == [] and board.topics == []
    assert board.first_response_hours == {} and board.auto_routing == [] and board.accuracy_by_version == []
