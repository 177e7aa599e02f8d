"""``civicly seed-demo --cases N``: realistic demo cases through intake, once, with a surge that collapses in the queue."""
from sqlmodel import func, select

from civicly.cli import seed_demo
from civicly.models import Case, CaseGroup, CaseGroupMember, Label
from civicly.triage.dashboard import Period, Scope, build
from civicly.triage.permissions import Actor
from civicly.triage.queue import QueueFilters, list_queue


def test_seed_demo_files_cases_once_with_history_and_a_surge(runner, session, make_user):
    result = runner.invoke(seed_demo, ["--cases", "60"])
    assert result.exit_code == 0, result.output
    assert "Demo cases: 60 filed." in result.output
    assert "already loaded" in runner.invoke(seed_demo, ["--cases", "60"]).output
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
