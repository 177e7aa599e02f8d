"""Similar open reports are grouped just after submission (by ``civicly worker``), collapse behind one row in the queue,
can be merged or answered at once, and a surge raises their urgency."""
from datetime import timedelta

import pytest
from sqlmodel import select

from civicly.cli.worker import worker
from civicly.models import Case, CaseGroup, CaseGroupMember, Event, OutboxMessage
from civicly.models.timestamps import utcnow
from civicly.triage import groups, outbox
from civicly.triage.decisions import Decision, decide
from civicly.triage.permissions import Actor
from civicly.triage.queue import QueueFilters, list_queue
from civicly.triage.tracking import track
from civicly.triage.worker import group_for_a_while
from tests.conftest import csrf_token, file_case

WATER = [
    "No water from the taps in Medina since Monday morning",
    "No water from the taps in the Medina since Monday",
    "Since Monday morning no water from our taps in Medina",
    "No water in the taps in Medina since monday morning!",
]


def group_pending(session):
    """What ``civicly worker`` does after each submission: group the new cases with similar open reports."""
    return groups.attach_all_pending(session, "test-worker")


def file_water_reports(session, count, **fields):
    """``count`` near-identical reports to one ministry, grouped as the worker groups them after submission."""
    reports = [file_case(session, WATER[i % len(WATER)], department="TERRITOIRES", **fields) for i in range(count)]
    group_pending(session)
    return reports


def officer(session, make_user, email="moussa@territoires.gouv.sn", ministries=("TERRITOIRES",)):
    return Actor.of(session, make_user(email, "officer", list(ministries)))


def test_similar_reports_to_one_ministry_form_one_group_and_collapse_in_the_queue(seeded, make_user):
    reports = file_water_reports(seeded, 3, received_at=utcnow() - timedelta(days=3))
    other = file_case(seeded, "The bridge at the village exit is closed without a detour", department="TERRITOIRES")
    elsewhere = file_case(seeded, WATER[0], department="SANTE")  # another ministry: never in the same group
    group_pending(seeded)
    groups_ = seeded.exec(select(CaseGroup)).all()
    assert len(groups_) == 1 and groups_[0].lead_case_id == reports[0].id
    assert seeded.get(CaseGroupMember, other.id) is None and seeded.get(CaseGroupMember, elsewhere.id) is None
    rows = list_queue(seeded, officer(seeded, make_user), QueueFilters()).rows
    assert {r.reference for r in rows} == {reports[0].reference, other.reference}
    lead_row = next(r for r in rows if r.reference == reports[0].reference)
    assert lead_row.similar_open == 2 and not lead_row.surge
    searched = list_queue(seeded, officer(seeded, make_user, "b@territoires.gouv.sn"), QueueFilters(text="medina")).rows
    assert len(searched) == 3  # a search shows every report


def test_different_places_are_not_grouped(seeded):
    file_case(seeded, WATER[0], department="TERRITOIRES", place="Medina")
    second = file_case(seeded, WATER[0], department="TERRITOIRES", place="Plateau")
    group_pending(seeded)
    assert seeded.get(CaseGroupMember, second.id) is None


def test_places_written_differently_in_one_area_are_grouped_and_other_areas_are_not(seeded):
    first = file_case(seeded, WATER[0], department="TERRITOIRES", place="Kaolack", area_code="SN-KL")
    same_area = file_case(seeded, WATER[1], department="TERRITOIRES", place="Quartier Médina Baye", area_code="SN-KL")
    other_area = file_case(seeded, WATER[2], department="TERRITOIRES", place="Kaolack", area_code="SN-TH")
    group_pending(seeded)
    assert seeded.get(CaseGroupMember, same_area.id).group_id == seeded.get(CaseGroupMember, first.id).group_id
    assert seeded.get(CaseGroupMember, other_area.id) is None


def test_positions_more_than_a_kilometre_apart_are_not_grouped(seeded):
    first = file_case(seeded, WATER[0], department="TERRITOIRES", latitude=14.152, longitude=-16.073)
    near = file_case(seeded, WATER[1], department="TERRITOIRES", latitude=14.155, longitude=-16.075)  # ~400 m
    far = file_case(seeded, WATER[2], department="TERRITOIRES", latitude=14.180, longitude=-16.073)  # ~3 km
    group_pending(seeded)
    assert seeded.get(CaseGroupMember, near.id).group_id == seeded.get(CaseGroupMember, first.id).group_id
    assert seeded.get(CaseGroupMember, far.id) is None


def test_a_surge_raises_the_groups_urgency_and_that_of_later_reports(seeded):
    reports = file_water_reports(seeded, groups.SURGE_SIZE)
    group = seeded.exec(select(CaseGroup)).one()
    assert group.surge_at is not None
    for report in reports:
        stored = seeded.get(Case, report.id, populate_existing=True)
        assert stored.urgency == "high" and stored.urgency_source == "surge"
    assert len(seeded.exec(select(Event).where(Event.kind == "surge")).all()) == groups.SURGE_SIZE
    later = file_water_reports(seeded, 1)[0]  # joins a surging group: raised at once
    assert seeded.get(Case, later.id, populate_existing=True).urgency == "high"


def test_reports_spread_over_weeks_are_no_surge(seeded):
    for days in (30, 20, 10, 5, 1):
        file_case(seeded, WATER[0], department="TERRITOIRES", received_at=utcnow() - timedelta(days=days, hours=1))
    group_pending(seeded)
    assert all(g.surge_at is None for g in seeded.exec(select(CaseGroup)))


def test_merging_closes_the_others_as_duplicates_and_their_citizens_see_only_the_groups_status(seeded, make_user):
    reports = file_water_reports(seeded, 3, email="citizen@example.org")
    actor = officer(seeded, make_user)
    merged = groups.merge(seeded, actor, reports[0].reference, [r.reference for r in reports[1:]])
    assert merged == 2
    for report in reports[1:]:
        stored = seeded.get(Case, report.id, populate_existing=True)
        assert stored.status == "duplicate" and stored.duplicate_of_id == reports[0].id
        assert seeded.exec(select(Event).where(Event.case_id == report.id, Event.kind == "status")).one().public
    lead = seeded.get(Case, reports[0].id, populate_existing=True)
    decide(seeded, actor, lead.reference, Decision("reply", lead.version, message="Madame Diop, water is back."))
    decide(seeded, actor, lead.reference, Decision("status", lead.version, status="in_progress"))
    public = track(seeded, reports[2].reference, "en")
    assert public.status == "duplicate"
    assert not any("Diop" in (e.message or "") for e in public.history)  # written to the lead's citizen
    assert [(e.kind, e.status, e.message) for e in public.history if e.kind == "grouped"] == [
        ("grouped", "in_progress", None)]
    kinds = sorted(m.kind for m in seeded.exec(select(OutboxMessage).where(OutboxMessage.case_id == reports[2].id)))
    assert kinds == ["acknowledgement", "closure", "status"]


def test_answer_all_replies_on_every_open_report_of_the_group(seeded, make_user):
    reports = file_water_reports(seeded, 3)
    answered = groups.answer_all(seeded, officer(seeded, make_user), reports[0].reference,
                                 "Repairs are under way.")
    assert answered == 3
    for report in reports:
        assert any(e.message == "Repairs are under way." for e in track(seeded, report.reference, "en").history)


def test_officers_of_another_ministry_cannot_merge(seeded, make_user):
    reports = file_water_reports(seeded, 2)
    stranger = officer(seeded, make_user, "awa@sante.gouv.sn", ("SANTE",))
    from civicly.errors import UnknownReference
    with pytest.raises(UnknownReference):
        groups.merge(seeded, stranger, reports[0].reference, [reports[1].reference])


def test_a_reassigned_report_leaves_its_group(seeded, make_user):
    reports = file_water_reports(seeded, 2)
    actor = officer(seeded, make_user, ministries=("TERRITOIRES", "SANTE"))
    stored = seeded.get(Case, reports[1].id)
    decide(seeded, actor, stored.reference,
           Decision("reassign", stored.version, department_code="SANTE", reason="Health risk"))
    assert seeded.exec(select(CaseGroup)).all() == []


def test_case_page_lists_similar_reports_and_merges_them(seeded, make_user, client, login_as):
    reports = file_water_reports(seeded, 3)
    make_user("moussa@territoires.gouv.sn", "officer", ["TERRITOIRES"])
    login_as("moussa@territoires.gouv.sn")
    page = client.get(f"/officer/cases/{reports[0].reference}").get_data(as_text=True)
    assert "2 similar reports" in page
    response = client.post(f"/officer/cases/{reports[0].reference}/merge", data={
        "csrf_token": csrf_token(page), "references": [r.reference for r in reports[1:]]})
    assert response.status_code == 303
    assert "2 reports merged" in client.get(response.headers["Location"]).get_data(as_text=True)
    queue = client.get("/officer/queue").get_data(as_text=True)
    assert reports[0].reference in queue and reports[1].reference not in queue


def test_grouping_waits_for_the_worker_and_keeps_the_submission_out_of_it(seeded, runner):
    first = file_case(seeded, WATER[0], department="TERRITOIRES")
    second = file_case(seeded, WATER[1], department="TERRITOIRES", email="citizen@example.org")
    assert seeded.exec(select(CaseGroup)).all() == []  # stored at once; compared after the response
    jobs = seeded.exec(select(OutboxMessage).where(OutboxMessage.kind == outbox.GROUPING)).all()
    assert sorted(j.case_id for j in jobs) == sorted([first.id, second.id])
    assert outbox.counts(seeded)["pending"] == 1  # the e-mails' counts (admins, metrics) leave grouping jobs out
    assert outbox.claim(seeded, "mailer") != [j.id for j in jobs]  # e-mail senders never take a grouping job
    result = runner.invoke(worker, ["--once"])
    assert result.exit_code == 0, result.output
    group = seeded.exec(select(CaseGroup)).one()
    assert group.lead_case_id == first.id and seeded.get(CaseGroupMember, second.id).similarity >= 0.75
    assert seeded.exec(select(OutboxMessage).where(OutboxMessage.kind == outbox.GROUPING)).all() == []


def test_a_case_closed_or_grouped_before_the_worker_came_is_left_as_it_is(seeded, make_user):
    file_water_reports(seeded, 2)
    late = file_case(seeded, WATER[2], department="TERRITOIRES")
    late.status = "rejected"
    seeded.add(late)
    seeded.commit()
    assert group_pending(seeded) == 1
    assert seeded.get(CaseGroupMember, late.id) is None
    again = file_case(seeded, WATER[3], department="TERRITOIRES")
    assert group_pending(seeded) == 1 and group_pending(seeded) == 0  # each job is done once
    assert seeded.get(CaseGroupMember, again.id) is not None
    assert len(seeded.exec(select(CaseGroupMember)).all()) == 3


def test_a_failing_comparison_leaves_the_case_alone_and_the_job_done(seeded, monkeypatch):
    file_case(seeded, WATER[0], department="TERRITOIRES")
    second = file_case(seeded, WATER[1], department="TERRITOIRES")

    def broken(*_args, **_kwargs):
        raise ValueError("broken comparison")

    monkeypatch.setattr(groups.classify, "most_similar", broken)
    assert group_pending(seeded) == 2
    assert seeded.get(CaseGroupMember, second.id) is None and seeded.get(Case, second.id).status == "new"


def test_the_worker_groups_in_batches_until_none_waits_or_its_time_is_up(seeded):
    reports = [file_case(seeded, WATER[i % len(WATER)], department="TERRITOIRES") for i in range(5)]
    assert group_for_a_while(seeded, "test-worker", batch=2, budget=0) == 2  # no time left after the first batch
    assert group_for_a_while(seeded, "test-worker", batch=2) == 3  # then every batch until none waits
    assert all(seeded.get(CaseGroupMember, r.id, populate_existing=True) is not None for r in reports)
