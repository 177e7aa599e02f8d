"""The citizen says "No, it is not solved" on the tracking page: the case reopens to the same officer, once per
closure, and the second time the supervisors are alerted."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from civicly.models import Case, CaseAlert, Event, User
from civicly.models.timestamps import utcnow
from civicly.triage import assignment, queue
from civicly.triage.decisions import Decision, decide
from tests.conftest import csrf_token
from tests.working_day.conftest import actor_of


def _close(session, case):
    awa = actor_of(session, "awa@gov.sn")
    case = decide(session, awa, case.reference, Decision("status", case.version, status="resolved"))
    session.commit()
    return case


def _say_not_solved(client, reference: str, reason: str):
    page = client.get(f"/track/{reference}").get_data(as_text=True)
    assert "Is it solved?" in page
    return client.post(f"/track/{reference}/satisfaction",
                       data={"csrf_token": csrf_token(page), "answered": "no", "comment": reason})


def _alerted(session, case) -> list[tuple[str, str]]:
    return list(session.exec(select(CaseAlert.level, User.email).join(User, col(User.id) == col(CaseAlert.recipient_id))
                             .where(CaseAlert.case_id == case.id).order_by(col(CaseAlert.id))).all())


def test_a_no_with_a_reason_reopens_the_case_to_its_officer_then_to_the_supervisors(client, seeded, health_case):
    awa = actor_of(seeded, "awa@gov.sn")
    case = assignment.take(seeded, awa, health_case.reference, health_case.version)
    seeded.commit()
    case = _close(seeded, case)
    response = _say_not_solved(client, case.reference, "Still no doctor; call me at 77 123 45 67")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your case was reopened" in page and "Is it solved?" not in page
    case = seeded.get(Case, case.id, populate_existing=True)
    assert (case.status, case.assignee_id, case.reopen_count) == ("in_progress", awa.user_id, 1)
    assert case.deadline_at > utcnow() + timedelta(days=1)  # a new deadline, counted from now
    mine = queue.list_queue(seeded, awa, queue.QueueFilters(holder="mine"))
    assert [row.reference for row in mine.rows] == [case.reference]
    reopened = seeded.exec(select(Event).where(Event.case_id == case.id, Event.kind == "reopened")).one()
    assert reopened.public and "77 123" not in reopened.message  # the reason, redacted
    assert _alerted(seeded, case) == [("reopened", "awa@gov.sn")]

    case = _close(seeded, case)
    _say_not_solved(client, case.reference, "Nobody came again")
    case = seeded.get(Case, case.id, populate_existing=True)
    assert (case.status, case.reopen_count) == ("in_progress", 2)
    assert ("reopened", "boss@gov.sn") in _alerted(seeded, case)


def test_yes_or_a_bare_no_does_not_reopen(client, seeded, health_case):
    case = _close(seeded, health_case)
    page = client.get(f"/track/{case.reference}").get_data(as_text=True)
    for answer in ("yes", "no"):
        client.post(f"/track/{case.reference}/satisfaction",
                    data={"csrf_token": csrf_token(page), "answered": answer, "comment": ""})
        assert seeded.get(Case, case.id, populate_existing=True).status == "resolved"


def test_the_question_is_asked_for_the_configured_days_only(app, client, seeded, health_case):
    app.config["REOPEN_DAYS"] = 0
    case = _close(seeded, health_case)
    assert "Is it solved?" not in client.get(f"/track/{case.reference}").get_data(as_text=True)
    page = client.get("/submit").get_data(as_text=True)
    refused = client.post(f"/track/{case.reference}/satisfaction",
                          data={"csrf_token": csrf_token(page), "answered": "no", "comment": "Still broken"})
    assert refused.status_code == 409
    assert seeded.get(Case, case.id, populate_existing=True).status == "resolved"
