"""SMS to citizens go through the outbox to the stand-in gateway, as Africa's Talking or Twilio, each exactly once;
delivery reports update them; without a provider they wait."""
import re

from sqlmodel import select

from civicly.cli.worker import worker
from civicly.models import Case, Department, OutboxMessage
from civicly.triage import outbox
from civicly.triage.decisions import Decision, decide
from civicly.triage.permissions import Actor
from tests.channels.conftest import CHANNEL_TOKEN, at_sms, twilio_message, twilio_post
from tests.conftest import csrf_token

REFERENCE = re.compile(r"CIV-[0-9A-Z]{4}-[0-9A-Z]{4}")
REPORT = "The health centre in Kisumu has had no doctor for two weeks and the queue is very long."


def run_worker(runner):
    result = runner.invoke(worker, ["--once"])
    assert result.exit_code == 0, result.output
    return result


def sms_rows(session):
    session.expire_all()
    return session.exec(select(OutboxMessage).where(OutboxMessage.kind.in_(outbox.SMS_KINDS))
                        .order_by(OutboxMessage.id)).all()


def filed_to_sante(session, response) -> Case:
    """The case the callback filed, sent to the health ministry (no model in these tests)."""
    reference = REFERENCE.search(response.get_data(as_text=True)).group(0)
    case = session.exec(select(Case).where(Case.reference == reference)).one()
    case.department_id = session.exec(select(Department.id).where(Department.code == "SANTE")).one()
    case.needs_triage = False
    session.add(case)
    session.commit()
    return case


def test_an_officers_public_reply_reaches_the_gateway_exactly_once(channels, client, seeded, make_user, runner,
                                                                    gateway):
    case = filed_to_sante(seeded, at_sms(client, REPORT))
    officer = Actor.of(seeded, make_user("wanjiru@health.go.ke", "officer", ["SANTE"]))
    decide(seeded, officer, case.reference, Decision("reply", case.version, message="A doctor comes on Monday."))
    seeded.commit()
    run_worker(runner)
    run_worker(runner)  # nothing left: a second pass sends nothing again
    replies = [m for m in gateway.received if "A doctor comes on Monday." in m["message"]]
    assert len(replies) == 1 and replies[0]["to"] == "+254712345678" and replies[0]["from"] == "CIVICLY"
    assert len(gateway.received) == 2  # the receipt, then the reply
    assert [(m.kind, m.status) for m in sms_rows(seeded)] == [("sms_ack", "sent"), ("sms_reply", "sent")]
    assert all(m.provider_message_id.startswith("ATXid_") for m in sms_rows(seeded))


def test_status_changes_and_closure_go_by_sms_in_the_citizens_language(channels, client, seeded, make_user,
                                                                       runner, gateway):
    case = filed_to_sante(seeded, at_sms(client, "Hospitali ya Kisumu haina daktari kwa wiki mbili sasa, "
                                                 "tafadhali tusaidieni."))
    officer = Actor.of(seeded, make_user("wanjiru@health.go.ke", "officer", ["SANTE"]))
    decide(seeded, officer, case.reference, Decision("status", case.version, status="in_progress"))
    seeded.commit()
    seeded.refresh(case)
    decide(seeded, officer, case.reference, Decision("status", case.version, status="resolved"))
    seeded.commit()
    run_worker(runner)
    assert [m.kind for m in sms_rows(seeded)] == ["sms_ack", "sms_status", "sms_closure"]
    assert len(gateway.received) == 3 and all(case.reference in m["message"] for m in gateway.received)
    assert "Suala lako" in gateway.received[1]["message"]  # Swahili, as the citizen wrote


def test_without_a_provider_sms_wait_in_the_outbox(channels, client, seeded, runner, gateway):
    channels.config.update(SMS_PROVIDER="")
    at_sms(client, REPORT)
    run_worker(runner)
    assert [m.status for m in sms_rows(seeded)] == ["pending"] and gateway.received == []
    channels.config.update(SMS_PROVIDER="africastalking")
    run_worker(runner)
    assert [m.status for m in sms_rows(seeded)] == ["sent"] and len(gateway.received) == 1


def test_a_number_the_provider_refuses_for_good_becomes_a_dead_letter_without_the_number(channels, client, seeded,
                                                                                         runner, gateway):
    gateway.refuse_with = 403  # Africa's Talking: InvalidPhoneNumber
    at_sms(client, REPORT)
    run_worker(runner)
    (message,) = sms_rows(seeded)
    assert message.status == "dead" and "403" in message.last_error and "254712345678" not in message.last_error


def test_africastalking_delivery_reports_update_the_message(channels, client, seeded, runner):
    at_sms(client, REPORT)
    run_worker(runner)
    (message,) = sms_rows(seeded)
    report = {"id": message.provider_message_id, "status": "Success", "phoneNumber": "+254712345678",
              "networkCode": "63902", "retryCount": "0"}
    url = f"/channels/africastalking/delivery?token={CHANNEL_TOKEN}"
    assert client.post(url, data=report).status_code == 200
    assert sms_rows(seeded)[0].delivery_status == "delivered"
    assert client.post(url, data={**report, "status": "Failed", "failureReason": "AbsentSubscriber"}).status_code == 200
    (message,) = sms_rows(seeded)
    assert message.delivery_status == "failed" and message.status == "dead" and "AbsentSubscriber" in message.last_error
    assert client.post("/channels/africastalking/delivery?token=wrong", data=report).status_code == 403
    assert client.post(url, data={"id": "ATXid_unknown", "status": "Success"}).status_code == 200


def test_a_whatsapp_case_is_answered_on_whatsapp_through_twilio(channels, client, seeded, make_user, runner,
                                                                 gateway):
    channels.config.update(SMS_PROVIDER="twilio", SMS_SENDER_ID="+14155550100")
    case = filed_to_sante(seeded, twilio_message(client, REPORT))
    officer = Actor.of(seeded, make_user("wanjiru@health.go.ke", "officer", ["SANTE"]))
    decide(seeded, officer, case.reference, Decision("reply", case.version, message="A doctor comes on Monday."))
    seeded.commit()
    run_worker(runner)
    (sent,) = gateway.received  # the receipt went back in TwiML: only the reply is sent
    assert sent["To"] == "whatsapp:+221771234567" and sent["From"] == "whatsapp:+14155238886"
    assert "A doctor comes on Monday." in sent["Body"]
    assert sent["StatusCallback"] == "https://civicly.example.gov/channels/twilio/status"
    (message,) = sms_rows(seeded)
    status = {"MessageSid": message.provider_message_id, "MessageStatus": "delivered", "AccountSid": "AC0"}
    assert twilio_post(client, "/channels/twilio/status", status, signature="forged").status_code == 403
    assert sms_rows(seeded)[0].delivery_status is None
    assert twilio_post(client, "/channels/twilio/status", status).status_code == 200
    assert sms_rows(seeded)[0].delivery_status == "delivered"


def test_twilio_refusing_a_number_leaves_a_dead_letter_without_it(channels, client, seeded, runner, gateway):
    channels.config.update(SMS_PROVIDER="twilio", SMS_SENDER_ID="+14155550100")
    gateway.refuse_with = 400
    at_sms(client, REPORT)  # an Africa's Talking number, answered through Twilio
    run_worker(runner)
    (message,) = sms_rows(seeded)
    assert message.status == "dead" and "21211" in message.last_error and "254712345678" not in message.last_error


def test_the_web_form_sends_sms_only_to_those_who_agreed(channels, client, seeded):
    for token, consent in (("with-consent", "y"), ("without-consent", None)):
        page = client.get("/submit").get_data(as_text=True)
        form = {"csrf_token": csrf_token(page), "form_token": token, "text": REPORT, "phone": "+254 712 345 678"}
        if consent:
            form["sms_consent"] = consent
        assert client.post("/submit", data=form).status_code == 303
    rows = sms_rows(seeded)
    assert len(rows) == 1 and seeded.get(Case, rows[0].case_id).form_token == "with-consent"


def test_two_workers_never_hold_the_same_sms_and_a_crashed_claim_is_sent_once(channels, client, seeded, gateway):
    from datetime import timedelta

    from civicly.models.timestamps import utcnow
    from civicly.sms import delivery

    at_sms(client, REPORT)
    long_ago = utcnow() - outbox.LEASE - timedelta(minutes=1)
    (waiting,) = sms_rows(seeded)
    waiting.next_attempt_at = long_ago
    seeded.add(waiting)
    seeded.commit()
    assert len(outbox.claim(seeded, "crashed-worker", now=long_ago, kinds=outbox.SMS_KINDS)) == 1
    assert outbox.claim(seeded, "other-worker", now=long_ago, kinds=outbox.SMS_KINDS) == []  # held meanwhile
    with channels.app_context():  # the crashed worker's lease has run out by now: another takes it over
        assert delivery.deliver_due(seeded, channels.config, "other-worker").sent == 1
        assert delivery.deliver_due(seeded, channels.config, "third-worker").sent == 0
    (message,) = sms_rows(seeded)
    assert not outbox.mark_sent(seeded, message.id, "crashed-worker")  # too late: it no longer holds it
    assert len(gateway.received) == 1 and sms_rows(seeded)[0].claimed_by == "other-worker"
