"""The providers' callbacks: read the provider's fields, call the service, answer in the provider's format."""
from __future__ import annotations

from collections.abc import Callable

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


def _inbound(provider: str, sender_field: str, id_field: str, text_field: str, wrap: Callable[[str, int], Response],
             receipt_inline: bool = False) -> sms_intake.InboundMessage | Response:
    """The provider's message, or the answer refusing it: no valid sender or message id (400), or a number over
    its allowance (429)."""
    sender = request.form.get(sender_field, "")
    phone, message_id = normalise_phone(sender), request.form.get(id_field, "").strip()
    if phone is None:
        return wrap(_refused_request(sender_field), 400)
    if not message_id or len(message_id) > ID_MAX:
        return wrap(_refused_request(id_field), 400)
    text = request.form.get(text_field, "")
    if not gate.within_limit(phone):
        return wrap(texts.slow_down(texts.language_of(text, None, current_app.config)), 429)
    channel = "whatsapp" if sender.strip().lower().startswith(WHATSAPP_PREFIX) else "sms"
    return sms_intake.InboundMessage(provider=provider, message_id=message_id, phone=phone, text=text,
                                     channel=channel, receipt_inline=receipt_inline)


@bp.post("/africastalking/sms")
def africastalking_sms() -> Response:
    """Africa's Talking's incoming message (from, to, text, date, id, linkId). Its HTTP answer never reaches the
    phone: a receipt goes through the outbox, a status answer straight to the provider; the body says the same."""
    gate.require_africastalking()
    message = _inbound("africastalking", "from", "id", "text", _plain)
    if isinstance(message, Response):
        return message
    answer = sms_intake.receive(get_session(), message, classify.route, current_app.config)
    if answer.kind in ("status", "refused", "reopened"):
        delivery.send_answer(current_app.config, message.phone, answer.text)
    return _plain(answer.text)


@bp.post("/twilio/sms")
def twilio_sms() -> Response:
    """Twilio's incoming SMS or WhatsApp message (From, To, Body, MessageSid...), answered with TwiML."""
    gate.require_twilio()
    message = _inbound("twilio", "From", "MessageSid", "Body", _twiml, receipt_inline=True)
    if isinstance(message, Response):
        return message
    return _twiml(sms_intake.receive(get_session(), message, classify.route, current_app.config).text)


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
