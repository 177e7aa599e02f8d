"""Taking, assigning and releasing cases; the Mine / Unassigned / All views; the supervisors' load."""
from __future__ import annotations

import pytest
from sqlmodel import col, select

from civicly.errors import NotAllowed
from civicly.models import Case, Event
from civicly.triage import assignment, queue
from civicly.triage.decisions import Conflict, Decision, InvalidDecision, decide
from tests.conftest import csrf_token
from tests.working_day.conftest import actor_of


def _events(session, case):
    return [(e.kind, e.actor, e.before, e.after) for e in session.exec(
        select(Event).where(Event.case_id == case.id, col(Event.kind).in_(("taken", "assigned", "released")))
        .order_by(col(Event.id)))]


def test_an_officer_takes_a_free_case_and_it_shows_in_mine(seeded, health_case):
    awa = actor_of(seeded, "awa@gov.sn")
    assignment.take(seeded, awa, health_case.reference, health_case.version)
    seeded.commit()
    mine = queue.list_queue(seeded, awa, queue.QueueFilters(holder="mine"))
    free = queue.list_queue(seeded, awa, queue.QueueFilters(holder="unassigned"))
    assert [(r.reference, r.assignee) for r in mine.rows] == [(health_case.reference, "awa@gov.sn")]
    assert free.rows == []
    assert _events(seeded, health_case)[-1] == ("taken", "awa@gov.sn", {"assignee": None}, {"assignee": "awa@gov.sn"})


def test_only_a_supervisor_takes_over_or_assigns_a_held_case(seeded, health_case):
    awa, moussa, boss = (actor_of(seeded, f"{n}@gov.sn") for n in ("awa", "moussa", "boss"))
    case = assignment.take(seeded, awa, health_case.reference, health_case.version)
    with pytest.raises(NotAllowed):
        assignment.take(seeded, moussa, case.reference, case.version)
    with pytest.raises(NotAllowed):
        assignment.assign(seeded, moussa, case.reference, case.version, "moussa@gov.sn")
    with pytest.raises(NotAllowed):
        assignment.release(seeded, moussa, case.reference, case.version)
    case = assignment.assign(seeded, boss, case.reference, case.version, "moussa@gov.sn")
    assert assignment.holder_email(seeded, case) == "moussa@gov.sn"
    with pytest.raises(InvalidDecision):  # an officer of another ministry cannot receive it
        assignment.assign(seeded, boss, case.reference, case.version, "ecole@gov.sn")
    case = assignment.release(seeded, boss, case.reference, case.version)
    assert case.assignee_id is None
    assert [kind for kind, *_ in _events(seeded, health_case)] == ["taken", "assigned", "released"]


def test_two_officers_taking_at_once_one_wins(seeded, health_case):
    awa, moussa = actor_of(seeded, "awa@gov.sn"), actor_of(seeded, "moussa@gov.sn")
    version = health_case.version
    assignment.take(seeded, awa, health_case.reference, version)
    with pytest.raises(Conflict):
        assignment.take(seeded, moussa, health_case.reference, version)


def test_rerouting_to_another_ministry_clears_the_holder(seeded, health_case):
    awa = actor_of(seeded, "awa@gov.sn")
    case = assignment.take(seeded, awa, health_case.reference, health_case.version)
    case = decide(seeded, awa, case.reference, Decision("reassign", case.version, department_code="EDUCATION",
                                                        reason="Not ours"))
    assert case.assignee_id is None
    moved = seeded.exec(select(Event).where(Event.case_id == case.id, Event.kind == "reassigned")).one()
    assert moved.before == {"department": "SANTE", "assignee": "awa@gov.sn"}


def test_the_load_view_is_for_supervisors(seeded, health_case):
    boss, awa = actor_of(seeded, "boss@gov.sn"), actor_of(seeded, "awa@gov.sn")
    assignment.take(seeded, awa, health_case.reference, health_case.version)
    (health,) = assignment.load(seeded, boss, {})
    assert {o.email: o.open_cases for o in health.officers} == {"awa@gov.sn": 1, "boss@gov.sn": 0,
                                                                  "moussa@gov.sn": 0}
    assert health.unassigned == 0
    with pytest.raises(NotAllowed):
        assignment.load(seeded, awa, {})


def test_take_assign_and_views_through_the_pages(client, login_as, seeded, health_case):
    login_as("boss@gov.sn")
    page = client.get(f"/officer/cases/{health_case.reference}").get_data(as_text=True)
    assert 'id="take-case"' in page and 'id="assign-case"' in page
    response = client.post(f"/officer/cases/{health_case.reference}/assign",
                           data={"csrf_token": csrf_token(page), "version": health_case.version,
                                 "assignee": "awa@gov.sn"})
    assert response.status_code == 303
    queue_page = client.get("/officer/queue?holder=unassigned").get_data(as_text=True)
    assert health_case.reference not in queue_page
    all_page = client.get("/officer/queue").get_data(as_text=True)
    assert health_case.reference in all_page and "awa@gov.sn" in all_page
    assert client.get("/officer/load").status_code == 200
    stale = client.post(f"/officer/cases/{health_case.reference}/take",
                        data={"csrf_token": csrf_token(page), "version": health_case.version})
    assert stale.status_code == 409


def test_officers_without_supervision_see_no_load_view_nor_assign_control(client, login_as, health_case):
    login_as("awa@gov.sn")
    assert client.get("/officer/load").status_code == 404
    page = client.get(f"/officer/cases/{health_case.reference}").get_data(as_text=True)
    assert 'id="take-case"' in page and 'id="assign-case"' not in page
    response = client.post(f"/officer/cases/{health_case.reference}/assign",
                           data={"csrf_token": csrf_token(page), "version": 1, "assignee": "awa@gov.sn"})
    assert response.status_code == 403


def test_an_officer_of_another_ministry_cannot_take(client, login_as, seeded, health_case):
    login_as("ecole@gov.sn")
    page = client.get("/officer/queue").get_data(as_text=True)
    response = client.post(f"/officer/cases/{health_case.reference}/take",
                           data={"csrf_token": csrf_token(page), "version": health_case.version})
    assert response.status_code == 404
    assert seeded.get(Case, health_case.id, populate_existing=True).assignee_id is None
