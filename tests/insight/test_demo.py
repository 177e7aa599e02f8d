"""The demo (``civicly seed-demo --cases N``): realistic cases through intake, once, with a surge that collapses in the
queue."""
from datetime import date

from sqlmodel import func, select

from civicly.models import Case, CaseGroup, CaseGroupMember, Label
from civicly.triage import demo
from civicly.triage.dashboard import Period, Scope, build
from civicly.triage.permissions import Actor
from civicly.triage.queue import QueueFilters, list_queue


def unrouted(_text):
    """No routing model: every demo case lands unrouted unless its citizen chose a ministry."""


def test_seed_demo_files_cases_once_with_history_and_a_surge(session, make_user):
    assert demo.seed(session, 60, unrouted).cases == 60
    assert demo.seed(session, 60, unrouted).cases is None  # already loaded
    assert session.exec(select(func.count()).select_from(Case)).one() == 60
    surge = session.exec(select(CaseGroup).where(CaseGroup.surge_at.is_not(None))).one()
    officer = Actor.of(session, make_user("moussa@territoires.gouv.sn", "officer", ["TERRITOIRES"]))
    rows = list_queue(session, officer, QueueFilters()).rows
    lead = next(r for r in rows if r.reference == session.get(Case, surge.lead_case_id).reference)
    assert lead.surge and lead.similar_open >= 10 and lead.urgency == "high"
    members = {c.reference for c in session.exec(select(Case).join(CaseGroupMember, CaseGroupMember.case_id == Case.id)
                                                 .where(CaseGroupMember.group_id == surge.id))}
    assert [r.reference for r in rows if r.reference in members] == [lead.reference]  # one row for the whole surge
    assert session.exec(select(func.count()).select_from(Label)).one() > 10
    board = build(session, Scope(None), Period.last_weeks(13))
    assert board.total_cases == 60 and board.first_response_hours and board.compliance


def test_seeding_everything_says_what_it_added_and_adds_nothing_twice(session):
    first = demo.seed(session, 0, unrouted, today=date(2026, 6, 1))
    assert (first.ministries_added, first.ministries_present, first.cases) == (17, 0, 0)
    assert first.service_levels == 4 and first.holidays == 9  # three holidays in each of 2025, 2026 and 2027
    again = demo.seed(session, 0, unrouted, today=date(2026, 6, 1))
    assert (again.ministries_added, again.ministries_present, again.service_levels, again.holidays) == (0, 17, 0, 0)
    assert session.exec(select(func.count()).select_from(Case)).one() == 0


def test_the_demo_publishes_some_consented_reports_and_nothing_else(session, client):
    demo.seed(session, 60, unrouted)
    published = session.exec(select(Case).where(Case.published_at.is_not(None))).all()
    assert published and all(case.publish_consent and not case.needs_triage for case in published)
    body = client.get("/open311/v2/requests.json").get_json()
    assert {r["service_request_id"] for r in body} == {case.public_id for case in published}
