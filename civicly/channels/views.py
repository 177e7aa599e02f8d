"""The providers' callbacks: read the provider's fields, call the service, answer in the provider's format."""
from __future__ import annotations

from flask import Response, current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _
from twilio.twiml.messaging_response import MessagingResponse

from civicly import classify
from civicly.channels import bp, gate
from civicly.db import get_session
from civicly.sms import delivery, texts
from civicly.triage import delivery_reports, sms_intake, ussd
from civicly.triage.phones import WHATSAPP_PREFIX, normalise_phone

ID_MAX = 100


def _plain(text: str, status: int = 200) -> Response:
    return Response(text, status, mimetype="text/plain")


def _twiml(text: str | None, status: int = 200) -> Response:
    reply = MessagingResponse()
    if text:
        reply.message(text)
    return Response(str(reply), status, mimetype="application/xml")


def _refused_request(what: str) -> str:
    """A request the provider itself got wrong (no sender, no message id): said in the default language."""
    with force_locale(current_app.config["DEFAULT_LOCALE"]):
        return _("Refused: %(what)s is missing or invalid.", what=what)


@bp.post("/africastalking/sms")
def africastalking_sms() -> Response:
    """Africa's Talking's incoming message (from, to, text, date, id, linkId). Its HTTP answer never reaches the
    phone: a receipt goes through the outbox, a status answer straight to the provider; the body says the same."""
    gate.require_africastalking()
    phone, message_id = normalise_phone(request.form.get("from")), request.form.get("id", "").strip()
    if phone is None:
        return _plain(_refused_request("from"), 400)
    if not message_id or len(message_id) > ID_MAX:
        return _plain(_refused_request("id"), 400)
    text = request.form.get("text", "")
    if not gate.within_limit(phone):
        return _plain(texts.slow_down(texts.language_of(text, None, current_app.config)), 429)
    answer = sms_intake.receive(get_session(), sms_intake.InboundMessage(
        provider="africastalking", message_id=message_id, phone=phone, text=text), classify.route, current_app.config)
    if answer.kind in ("status", "refused"):
        delivery.send_answer(current_app.config, phone, answer.text)
    return _plain(answer.text)


@bp.post("/twilio/sms")
def twilio_sms() -> Response:
    """Twilio's incoming SMS or WhatsApp message (From, To, Body, MessageSid...), answered with TwiML."""
    gate.require_twilio()
    sender = request.form.get("From", "")
    phone, message_id = normalise_phone(sender), request.form.get("MessageSid", "").strip()
    if phone is None:
        return _twiml(_refused_request("From"), 400)
    if not message_id or len(message_id) > ID_MAX:
        return _twiml(_refused_request("MessageSid"), 400)
    text = request.form.get("Body", "")
    if not gate.within_limit(phone):
        return _twiml(texts.slow_down(texts.language_of(text, None, current_app.config)), 429)
    channel = "whatsapp" if sender.strip().lower().startswith(WHATSAPP_PREFIX) else "sms"
    answer = sms_intake.receive(get_session(), sms_intake.InboundMessage(
        provider="twilio", message_id=message_id, phone=phone, text=text, channel=channel, receipt_inline=True),
        classify.route, current_app.config)
    return _twiml(answer.text)


@bp.post("/africastalking/ussd")
def africastalking_ussd() -> Response:
    """Africa's Talking's USSD step (sessionId, serviceCode, phoneNumber, text): answered "CON …" or "END …"."""
    gate.require_africastalking()
    phone, session_id = normalise_phone(request.form.get("phoneNumber")), request.form.get("sessionId", "").strip()
    if phone is None:
        return _plain("END " + _refused_request("phoneNumber"), 400)
    if not session_id or len(session_id) > ID_MAX - len("ussd:"):
        return _plain("END " + _refused_request("sessionId"), 400)
    if not gate.within_limit(phone):
        return _plain("END " + texts.slow_down(current_app.config["DEFAULT_LOCALE"]), 429)
    step = ussd.UssdStep(session_id=session_id, phone=phone, text=request.form.get("text", ""))
    return _plain(ussd.answer(get_session(), step, classify.route, current_app.config))


@bp.post("/africastalking/delivery")
def africastalking_delivery() -> Response:
    """Africa's Talking's delivery report (id, status, failureReason...)."""
    gate.require_africastalking()
    delivery_reports.record(get_session(), request.form.get("id", ""), request.form.get("status", ""),
                            request.form.get("failureReason", ""))
    return _plain("OK")


@bp.post("/twilio/status")
def twilio_status() -> Response:
    """Twilio's status callback for a message we sent (MessageSid, MessageStatus, ErrorCode)."""
    gate.require_twilio()
    delivery_reports.record(get_session(), request.form.get("MessageSid", ""), request.form.get("MessageStatus", ""),
                            request.form.get("ErrorCode", ""))
    return _twiml(None)
