"""A stand-in SMS gateway: a real HTTP server on this machine that speaks Africa's Talking's and Twilio's documented
formats. It takes the SMS Civicly sends (their REST APIs) and builds the callbacks they make (form posts, Twilio's
signature made by the twilio package itself)."""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CHANNEL_TOKEN = "at-callback-token-for-tests"
TWILIO_SID = "AC00000000000000000000000000000000"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
PUBLIC_URL = "https://civicly.example.gov"
TWILIO_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")


@dataclass
class Gateway:
    """What the stand-in received, and how it should answer the next messages."""

    url: str = ""
    received: list[dict] = field(default_factory=list)
    refuse_with: int | None = None  # Africa's Talking statusCode (403 invalid number...) or a Twilio HTTP status
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wsgi(self, environ, start_response):
        request = Request(environ)
        form = request.form.to_dict()
        if request.path == "/version1/messaging" and request.method == "POST":
            response = self._africastalking(request, form)
        elif (match := TWILIO_PATH.match(request.path)) and request.method == "POST":
            response = self._twilio(request, form, match["sid"])
        else:
            response = Response("not found", 404)
        return response(environ, start_response)

    def _africastalking(self, request: Request, form: dict) -> Response:
        if request.headers.get("apiKey") != "at-api-key" or form.get("username") != "civicly":
            return Response("The supplied authentication is invalid", 401)
        code = self.refuse_with or 101
        with self.lock:
            number = len(self.received) + 1
            if code == 101:
                self.received.append({"provider": "africastalking", **form})
        recipient = {"statusCode": code, "number": form["to"], "cost": "KES 0.8000" if code == 101 else "0",
                     "status": "Success" if code == 101 else "InvalidPhoneNumber", "messageId": f"ATXid_{number}"}
        body = {"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: KES 0.8000", "Recipients": [recipient]}}
        return Response(json.dumps(body), 201, mimetype="application/json")

    def _twilio(self, request: Request, form: dict, sid: str) -> Response:
        if request.authorization is None or (request.authorization.username, request.authorization.password) != (
                TWILIO_SID, TWILIO_TOKEN) or sid != TWILIO_SID:
            return Response(json.dumps({"code": 20003, "message": "Authenticate", "status": 401}), 401,
                            mimetype="application/json")
        if self.refuse_with:
            body = {"code": 21211, "message": f"The 'To' number {form.get('To')} is not a valid phone number.",
                    "status": self.refuse_with}
            return Response(json.dumps(body), self.refuse_with, mimetype="application/json")
        with self.lock:
            sid_number = f"SM{len(self.received) + 1:032d}"
            self.received.append({"provider": "twilio", **form})
        body = {"sid": sid_number, "status": "queued", "to": form["To"], "from": form["From"], "body": form["Body"]}
        return Response(json.dumps(body), 201, mimetype="application/json")


@pytest.fixture
def gateway():
    stand_in = Gateway()
    server = make_server("127.0.0.1", 0, stand_in.wsgi, threaded=True)
    stand_in.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stand_in
    server.shutdown()
    thread.join(5)


@pytest.fixture
def channels(app, gateway):
    """The app with both channels on, sending through the stand-in as Africa's Talking."""
    app.config.update(
        CHANNEL_TOKEN=CHANNEL_TOKEN, TWILIO_ACCOUNT_SID=TWILIO_SID, TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        PUBLIC_URL=PUBLIC_URL, SMS_PROVIDER="africastalking", SMS_SENDER_ID="CIVICLY",
        AFRICASTALKING_USERNAME="civicly", AFRICASTALKING_API_KEY="at-api-key",
        AFRICASTALKING_API_URL=gateway.url, TWILIO_API_URL=gateway.url, TWILIO_WHATSAPP_FROM="+14155238886",
        SMS_TIMEOUT=5,
    )
    return app


def at_sms(client, text: str, phone: str = "+254712345678", message_id: str = "ATXid_in_1",
           token: str = CHANNEL_TOKEN, **overrides):
    """Africa's Talking's incoming-message callback, as its documentation gives the fields."""
    form = {"from": phone, "to": "20880", "text": text, "date": "2026-12-03 17:00:00", "id": message_id,
            "linkId": "SampleLinkId123", **overrides}
    form = {key: value for key, value in form.items() if value is not None}
    return client.post(f"/channels/africastalking/sms?{urlencode({'token': token})}", data=form)


def ussd(client, text: str, session_id: str = "ATUid_1", phone: str = "+254712345678"):
    """One step of Africa's Talking's USSD callback."""
    form = {"sessionId": session_id, "serviceCode": "*384*123#", "phoneNumber": phone, "networkCode": "63902",
            "text": text}
    return client.post(f"/channels/africastalking/ussd?token={CHANNEL_TOKEN}", data=form)


def twilio_post(client, path: str, form: dict, token: str = TWILIO_TOKEN, signature: str | None = None):
    """A Twilio webhook to ``path``, signed by the twilio package over the public URL, as Twilio signs it."""
    url = PUBLIC_URL + path
    signed = RequestValidator(token).compute_signature(url, form) if signature is None else signature
    return client.post(path, data=form, headers={"X-Twilio-Signature": signed})


def twilio_message(client, body: str, sender: str = "whatsapp:+221771234567", sid: str = "SM" + "1" * 32, **kw):
    form = {"MessageSid": sid, "AccountSid": TWILIO_SID, "From": sender, "To": "whatsapp:+14155238886",
            "Body": body, "NumMedia": "0"}
    return twilio_post(client, "/channels/twilio/sms", form, **kw)
