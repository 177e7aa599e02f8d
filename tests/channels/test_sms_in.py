"""Reports and status questions by SMS in Africa's Talking's format: a reference that /track knows, one case per
message however often the provider retries, one case for a long message in parts, and a clear answer to bad input."""
import re

import pytest
from sqlmodel import select

from civicly.models import Case, ChannelMessage, OutboxMessage
from civicly.triage import outbox
from tests.channels.conftest import at_sms

REFERENCE = re.compile(r"CIV-[0-9A-Z]{4}-[0-9A-Z]{4}")
REPORT = "The water pipe near Kibera market has been broken for a week and people fetch dirty water."


def reference_in(response) -> str:
    match = REFERENCE.search(response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    return match.group(0)


def cases(session):
    session.expire_all()
    return session.exec(select(Case)).all()


def test_an_sms_becomes_a_case_whose_reference_track_knows(channels, client, seeded):
    response = at_sms(client, REPORT)
    assert response.status_code == 200
    reference = reference_in(response)
    assert client.get(f"/track/{reference}").status_code == 200
    (case,) = cases(seeded)
    assert case.channel == "sms" and case.contact_phone == "+254712345678" and case.sms_consent
    assert "254712345678" not in case.text and case.text == REPORT
    acknowledgement = seeded.exec(select(OutboxMessage).where(OutboxMessage.kind == "sms_ack")).one()
    assert acknowledgement.case_id == case.id  # Africa's Talking does not deliver our HTTP answer: the outbox does


def test_the_same_message_id_sent_again_files_one_case(channels, client, seeded):
    first = reference_in(at_sms(client, REPORT))
    again = at_sms(client, REPORT)
    assert again.status_code == 200 and reference_in(again) == first
    assert len(cases(seeded)) == 1
    assert len(seeded.exec(select(ChannelMessage)).all()) == 1


def test_parts_of_a_long_message_from_one_number_become_one_case(channels, client, seeded):
    first = reference_in(at_sms(client, REPORT, message_id="ATXid_part_1"))
    second = at_sms(client, "Children are getting sick.", message_id="ATXid_part_2")
    assert reference_in(second) == first
    (case,) = cases(seeded)
    assert case.text == f"{REPORT} Children are getting sick."
    other = reference_in(at_sms(client, REPORT, phone="+254712000111", message_id="ATXid_other"))
    assert other != first and len(cases(seeded)) == 2  # another number: another case


def test_a_reference_asks_for_the_status_and_ministry_only(channels, client, seeded):
    reference = reference_in(at_sms(client, REPORT))
    answer = at_sms(client, f"HALI {reference}", message_id="ATXid_q1").get_data(as_text=True)
    assert reference in answer and REPORT not in answer and "254712345678" not in answer
    bare = at_sms(client, reference.lower(), phone="+221771234567", message_id="ATXid_q2")
    assert bare.status_code == 200 and reference in bare.get_data(as_text=True)  # any number, by the full reference
    assert len(cases(seeded)) == 1


def test_a_number_asks_about_its_own_cases_by_part_of_the_reference(channels, client, seeded):
    reference = reference_in(at_sms(client, REPORT))
    mine = at_sms(client, f"STATUS {reference[-4:]}", message_id="ATXid_q3").get_data(as_text=True)
    assert reference in mine
    latest = at_sms(client, "ETAT", message_id="ATXid_q4").get_data(as_text=True)
    assert reference in latest
    stranger = at_sms(client, f"STATUS {reference[-4:]}", phone="+221771234567", message_id="ATXid_q5")
    assert stranger.status_code == 200 and reference not in stranger.get_data(as_text=True)


@pytest.mark.parametrize("text", ["", "   ", "Hi", "x" * 10_000])
def test_a_report_that_cannot_be_filed_is_answered_and_stores_nothing(channels, client, seeded, text):
    response = at_sms(client, text)
    assert response.status_code == 200 and response.get_data(as_text=True).strip()  # why, in the sender's language
    assert cases(seeded) == []


def test_nul_and_control_characters_are_removed_and_the_report_kept(channels, client, seeded):
    response = at_sms(client, "Broken\x00 street light\x07 on Avenue Cheikh Anta Diop since Monday")
    assert response.status_code == 200
    (case,) = cases(seeded)
    assert case.text == "Broken street light on Avenue Cheikh Anta Diop since Monday"


def test_an_unknown_reference_gets_a_clear_answer(channels, client, seeded):
    response = at_sms(client, "STATUS CIV-0000-0000")
    assert response.status_code == 200 and "No case of yours has this reference" in response.get_data(as_text=True)


@pytest.mark.parametrize("overrides", [{"from": None}, {"from": ""}, {"from": "not-a-number"}, {"from": "+1"},
                                       {"from": "+" + "9" * 60}, {"id": None}, {"id": ""}, {"id": "x" * 500}])
def test_a_request_without_a_valid_sender_or_id_is_refused_clearly(channels, client, seeded, overrides):
    response = at_sms(client, REPORT, **overrides)
    assert response.status_code == 400 and "Refused" in response.get_data(as_text=True)
    assert cases(seeded) == []


def test_a_wrong_or_missing_token_is_refused_and_nothing_stored(channels, client, seeded):
    assert at_sms(client, REPORT, token="wrong").status_code == 403
    assert client.post("/channels/africastalking/sms", data={"from": "+254712345678", "text": REPORT,
                                                             "id": "x"}).status_code == 403
    assert cases(seeded) == []


def test_the_channel_is_off_without_its_token(app, client, seeded):
    assert at_sms(client, REPORT, token="").status_code == 404
    assert client.post("/channels/africastalking/ussd", data={}).status_code == 404
    assert cases(seeded) == []


def test_a_status_answer_goes_to_the_phone_through_the_provider(channels, client, seeded, gateway):
    reference = reference_in(at_sms(client, REPORT))
    at_sms(client, reference, message_id="ATXid_q6")
    assert [m["to"] for m in gateway.received] == ["+254712345678"]
    assert reference in gateway.received[0]["message"] and gateway.received[0]["from"] == "CIVICLY"


def test_no_sms_is_sent_by_the_request_for_a_report(channels, client, seeded, gateway):
    at_sms(client, REPORT)
    assert gateway.received == []  # the receipt waits in the outbox for the worker
    assert seeded.exec(select(OutboxMessage).where(OutboxMessage.kind.in_(outbox.SMS_KINDS))).one().status == "pending"
