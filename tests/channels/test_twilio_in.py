"""Twilio's incoming SMS and WhatsApp messages: only requests Twilio signed (signature made by the twilio package
over the public URL) get in; the answer is TwiML carrying the reference."""
import re

import pytest
from sqlmodel import select

from civicly.models import Case, OutboxMessage
from tests.channels.conftest import TWILIO_TOKEN, twilio_message, twilio_post

REFERENCE = re.compile(r"CIV-[0-9A-Z]{4}-[0-9A-Z]{4}")
REPORT = "Les ordures ne sont plus ramassées depuis deux semaines au marché de Médina, quartier Gueule Tapée."


def test_a_signed_whatsapp_message_files_a_case_answered_in_twiml(channels, client, seeded):
    response = twilio_message(client, REPORT)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    body = response.get_data(as_text=True)
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    reference = REFERENCE.search(body).group(0)
    assert client.get(f"/track/{reference}").status_code == 200
    case = seeded.exec(select(Case)).one()
    assert case.channel == "whatsapp" and case.contact_phone == "+221771234567"
    assert "Votre" in body or "Merci" in body  # answered in the message's language
    # The TwiML answer is the receipt: no second one by SMS.
    assert seeded.exec(select(OutboxMessage).where(OutboxMessage.kind == "sms_ack")).all() == []


def test_a_plain_sms_through_twilio_is_an_sms_case(channels, client, seeded):
    assert twilio_message(client, REPORT, sender="+221771234567").status_code == 200
    assert seeded.exec(select(Case)).one().channel == "sms"


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl", "wrong"])
def test_a_badly_signed_message_is_refused_and_nothing_stored(channels, client, seeded, signature):
    assert twilio_message(client, REPORT, signature=signature).status_code == 403
    assert seeded.exec(select(Case)).all() == []


def test_a_message_signed_with_another_token_is_refused(channels, client, seeded):
    assert twilio_message(client, REPORT, token="someone-elses-token").status_code == 403
    assert seeded.exec(select(Case)).all() == []


def test_a_signature_for_other_fields_is_refused(channels, client, seeded):
    from twilio.request_validator import RequestValidator

    signed = RequestValidator(TWILIO_TOKEN).compute_signature(
        "https://civicly.example.gov/channels/twilio/sms", {"Body": "something else"})
    assert twilio_message(client, REPORT, signature=signed).status_code == 403


def test_the_twilio_channel_is_off_without_its_token(app, client, seeded):
    assert twilio_message(client, REPORT).status_code == 404
    assert seeded.exec(select(Case)).all() == []


def test_a_replayed_message_sid_files_one_case(channels, client, seeded):
    first = REFERENCE.search(twilio_message(client, REPORT).get_data(as_text=True)).group(0)
    second = REFERENCE.search(twilio_message(client, REPORT).get_data(as_text=True)).group(0)
    assert first == second and len(seeded.exec(select(Case)).all()) == 1


@pytest.mark.parametrize("form", [
    {"From": "whatsapp:+221771234567", "Body": REPORT},  # no MessageSid
    {"MessageSid": "SM1", "Body": REPORT},  # no sender
    {"MessageSid": "SM1", "From": "whatsapp:not-a-number", "Body": REPORT},
])
def test_missing_or_invalid_fields_get_a_clear_answer(channels, client, seeded, form):
    response = twilio_post(client, "/channels/twilio/sms", form)
    assert response.status_code == 400 and "Refused" in response.get_data(as_text=True)
    assert seeded.exec(select(Case)).all() == []


@pytest.mark.parametrize("body", ["", "ok", "\x00" * 20, "y" * 10_000])
def test_bad_text_is_answered_in_twiml_never_an_error(channels, client, seeded, body):
    response = twilio_message(client, body)
    assert response.status_code == 200 and "<Message>" in response.get_data(as_text=True)
    assert seeded.exec(select(Case)).all() == []
