"""A citizen says "not solved" by SMS in Africa's Talking's format: "NO <reference> <reason>" reopens their closed
case as the tracking page's "No" does (same holder, a "reopened" event, the reason redacted); other numbers, open
cases and late answers are refused with a reason; reports that start with "no" are still filed."""
from __future__ import annotations

import pytest
from sqlmodel import select

from civicly.models import Case, CaseAlert, Department, Event
from civicly.triage import assignment
from civicly.triage.decisions import Decision, decide
from civicly.triage.permissions import Actor
from tests.channels.conftest import at_sms
from tests.channels.test_sms_in import REPORT, cases, reference_in

PHONE, STRANGER = "+254712345678", "+254700999888"


@pytest.fixture
def closed_case(channels, client, seeded, make_user):
    """A case this number sent by SMS, held by an officer of SANTE, then resolved."""
    reference = reference_in(at_sms(client, REPORT, message_id="ATXid_report"))
    officer = Actor.of(seeded, make_user("awa@gov.sn", "officer", ["SANTE"]))
    case = seeded.exec(select(Case).where(Case.reference == reference)).one()
    case.department_id = seeded.exec(select(Department.id).where(Department.code == "SANTE")).one()
    seeded.add(case)
    seeded.commit()
    case = assignment.take(seeded, officer, reference, case.version)
    seeded.commit()
    case = decide(seeded, officer, reference, Decision("status", case.version, status="resolved"))
    seeded.commit()
    return case


def _case(session, case) -> Case:
    return session.get(Case, case.id, populate_existing=True)


def _reopened(session, case) -> list[Event]:
    return list(session.exec(select(Event).where(Event.case_id == case.id, Event.kind == "reopened")).all())


def test_no_with_the_reference_and_a_reason_reopens_the_case_to_its_holder(channels, client, seeded, gateway,
                                                                           closed_case):
    holder = closed_case.assignee_id
    response = at_sms(client, f"NON {closed_case.reference} la route est toujours coupee, appelez le 0712 345 678",
                      message_id="ATXid_no_1")
    assert response.status_code == 200
    answer = response.get_data(as_text=True)
    assert closed_case.reference in answer and "rouvert" in answer  # in the language of the word: French
    assert gateway.received[-1]["message"] == answer and gateway.received[-1]["to"] == PHONE
    case = _case(seeded, closed_case)
    assert (case.status, case.assignee_id, case.reopen_count) == ("in_progress", holder, 1)
    (event,) = _reopened(seeded, case)
    assert event.public and "toujours coupee" in event.message and "345 678" not in event.message  # redacted
    sent = len(gateway.received)
    retry = at_sms(client, f"NON {closed_case.reference} la route est toujours coupee", message_id="ATXid_no_1")
    assert "rouvert" in retry.get_data(as_text=True) and len(gateway.received) == sent  # a provider's retry
    assert _case(seeded, closed_case).reopen_count == 1
    alert = seeded.exec(select(CaseAlert).where(CaseAlert.case_id == case.id)).one()
    assert (alert.level, alert.recipient_id) == ("reopened", holder)  # the same alert as the tracking page's "No"


@pytest.mark.parametrize("text", ["HAPANA {group} barabara bado imefungwa", "لا {group} الطريق ما زال مقطوعا",
                                  "No: {group} still broken"])
def test_the_last_group_of_a_reference_reopens_this_numbers_case(channels, client, seeded, closed_case, text):
    at_sms(client, text.format(group=closed_case.reference[-4:]), message_id="ATXid_no_2")
    assert _case(seeded, closed_case).status == "in_progress"


def test_a_bare_no_asks_for_a_reason_and_reopens_nothing(channels, client, seeded, closed_case):
    for message_id, text in (("ATXid_no_3", "NO"), ("ATXid_no_4", f"no {closed_case.reference}")):
        answer = at_sms(client, text, message_id=message_id).get_data(as_text=True)
        assert closed_case.reference in answer and "NO" in answer
    assert _case(seeded, closed_case).status == "resolved" and _reopened(seeded, closed_case) == []


def test_another_number_cannot_reopen_even_with_the_full_reference(channels, client, seeded, closed_case):
    answer = at_sms(client, f"NO {closed_case.reference} still broken", phone=STRANGER,
                    message_id="ATXid_no_5").get_data(as_text=True)
    assert "Only the phone that sent this case" in answer and closed_case.reference not in answer
    assert _case(seeded, closed_case).status == "resolved"
    at_sms(client, f"NO {closed_case.reference[-4:]} the water pipe near the market is still broken",
           phone=STRANGER, message_id="ATXid_no_6")
    assert _case(seeded, closed_case).status == "resolved"  # someone else's group: filed as that number's report
    assert len(cases(seeded)) == 2


def test_an_open_case_is_not_reopened_twice(channels, client, seeded, closed_case):
    at_sms(client, f"NO {closed_case.reference} still broken", message_id="ATXid_no_7")
    again = at_sms(client, f"NO {closed_case.reference} still broken", message_id="ATXid_no_8")
    assert "still open" in again.get_data(as_text=True)
    assert _case(seeded, closed_case).reopen_count == 1 and len(_reopened(seeded, closed_case)) == 1


def test_a_late_no_is_refused(app, channels, client, seeded, closed_case):
    app.config["REOPEN_DAYS"] = 0
    answer = at_sms(client, f"NO {closed_case.reference} still broken", message_id="ATXid_no_9")
    assert "closed over 0 days ago" in answer.get_data(as_text=True)
    assert _case(seeded, closed_case).status == "resolved"


def test_an_unknown_full_reference_is_answered(channels, client, seeded, closed_case):
    answer = at_sms(client, "NO CIV-0000-0000 still broken", message_id="ATXid_no_10").get_data(as_text=True)
    assert "No case of yours has this reference" in answer
    assert len(cases(seeded)) == 1


@pytest.mark.parametrize("text", ["No water in Kibera for a week, the pipe near the market is broken.",
                                  "Non, pas d'eau au marche de Kibera depuis une semaine.",
                                  "لا يوجد ماء في السوق منذ أسبوع كامل"])
def test_a_report_that_starts_with_no_is_still_filed(channels, client, seeded, closed_case, text):
    response = at_sms(client, text, message_id="ATXid_report_no")
    assert reference_in(response) != closed_case.reference
    assert len(cases(seeded)) == 2 and _case(seeded, closed_case).status == "resolved"

