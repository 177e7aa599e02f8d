"""The USSD menu in Africa's Talking's format: a session files a case in Swahili, every screen fits a handset in
every language, and bad answers close the session with a clear word."""
import re

import pytest
from sqlmodel import select

from civicly.models import Case, OutboxMessage
from civicly.triage.ussd import SCREEN_MAX
from tests.channels.conftest import ussd
from tests.channels.test_sms_in import at_sms

REFERENCE = re.compile(r"CIV-[0-9A-Z]{4}-[0-9A-Z]{4}")
SWAHILI_REPORT = "Barabara ya Kisumu imeharibika sana baada ya mvua na magari hayapiti."


def screens(client, *steps, session_id="ATUid_1", phone="+254712345678"):
    return [ussd(client, step, session_id, phone) for step in steps]


def test_a_ussd_session_files_a_case_in_swahili(channels, client, seeded):
    responses = screens(client, "", "4", "4*1", f"4*1*{SWAHILI_REPORT}")
    texts = [r.get_data(as_text=True) for r in responses]
    assert all(r.status_code == 200 for r in responses)
    assert [t[:4] for t in texts] == ["CON ", "CON ", "CON ", "END "]
    assert "Kiswahili" in texts[0]
    reference = REFERENCE.search(texts[-1]).group(0)
    case = seeded.exec(select(Case)).one()
    assert case.reference == reference and case.language == "sw" and case.channel == "ussd"
    assert case.text == SWAHILI_REPORT and case.contact_phone == "+254712345678"
    assert client.get(f"/track/{reference}").status_code == 200
    # The screen closes: the reference also comes by SMS.
    assert seeded.exec(select(OutboxMessage).where(OutboxMessage.kind == "sms_ack")).one().language == "sw"
    again = ussd(client, f"4*1*{SWAHILI_REPORT}")  # the provider posts the last step again
    assert REFERENCE.search(again.get_data(as_text=True)).group(0) == reference
    assert len(seeded.exec(select(Case)).all()) == 1


def test_a_star_in_the_description_stays_in_the_text(channels, client, seeded):
    screens(client, "", "2", "2*1", "2*1*Pothole 3*2 metres on Moi Avenue near the bus stop")
    assert seeded.exec(select(Case)).one().text == "Pothole 3*2 metres on Moi Avenue near the bus stop"


@pytest.mark.parametrize("choice", ["1", "2", "3", "4"])
def test_every_screen_fits_a_handset_in_every_language(channels, client, seeded, choice):
    reference = REFERENCE.search(at_sms(client, "The health centre has had no doctor for two weeks now.")
                                 .get_data(as_text=True)).group(0)
    steps = ["", choice, f"{choice}*1", f"{choice}*2", f"{choice}*2*{reference}", f"{choice}*2*CIV-0000-0000",
             f"{choice}*9", f"{choice}*1*short", f"{choice}*1*{'z' * 6000}",
             f"{choice}*1*A long description of the problem in the market, with the place and the date."]
    for number, step in enumerate(steps):
        text = ussd(client, step, session_id=f"ATUid_{choice}_{number}").get_data(as_text=True)
        assert text.startswith(("CON ", "END ")) and len(text) <= SCREEN_MAX, (step, text, len(text))


def test_following_a_case_by_ussd_shows_its_status(channels, client, seeded):
    reference = REFERENCE.search(at_sms(client, "The health centre has had no doctor for two weeks now.")
                                 .get_data(as_text=True)).group(0)
    end = screens(client, "", "2", "2*2", f"2*2*{reference}", session_id="ATUid_follow")[-1]
    assert end.get_data(as_text=True).startswith("END ") and reference in end.get_data(as_text=True)


@pytest.mark.parametrize("text", ["9", "x", "1*7", "\x00", "*" * 50, "1*1*" + "\x00" * 30])
def test_bad_answers_close_the_session_clearly(channels, client, seeded, text):
    response = ussd(client, text)
    assert response.status_code == 200 and response.get_data(as_text=True).startswith(("END ", "CON "))
    assert seeded.exec(select(Case)).all() == []


@pytest.mark.parametrize("form", [{"phoneNumber": "", "sessionId": "s"}, {"phoneNumber": "+254712345678"},
                                  {"phoneNumber": "0712", "sessionId": "s"}])
def test_missing_fields_are_refused_with_an_end_screen(channels, client, seeded, form):
    response = client.post("/channels/africastalking/ussd?token=at-callback-token-for-tests", data=form)
    assert response.status_code == 400 and response.get_data(as_text=True).startswith("END ")
