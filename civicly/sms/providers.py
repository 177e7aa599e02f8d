"""The SMS providers Civicly sends through, over their documented REST APIs: Africa's Talking
(POST /version1/messaging) and Twilio (POST /2010-04-01/Accounts/{sid}/Messages.json), each at a configurable base
URL. Failures are sorted into permanent (a bad number: no point retrying) and temporary (retried with back-off).

Errors never quote the provider's words, which usually repeat the citizen's number: only status codes are kept.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from civicly.triage.phones import WHATSAPP_PREFIX

AFRICASTALKING, TWILIO = "africastalking", "twilio"
# Africa's Talking's per-recipient codes: 100 processed, 101 sent, 102 queued; refusals that a retry cannot fix
# (402 invalid sender id, 403 invalid number, 404 unsupported number type, 406 blacklisted, 407 cannot route).
AT_ACCEPTED = frozenset({100, 101, 102})
AT_PERMANENT = frozenset({402, 403, 404, 406, 407})


class PermanentFailure(Exception):
    """The provider refused this message for good."""


class TemporaryFailure(Exception):
    """The provider could not take the message now (down, throttled, credentials being fixed): retried later."""


@dataclass(frozen=True)
class OutgoingSms:
    to: str  # E.164
    text: str
    whatsapp: bool = False  # the citizen wrote by WhatsApp: answer there when the provider can


class Provider(Protocol):
    name: str

    def send(self, sms: OutgoingSms) -> str:
        """Hand one message to the provider; returns its id for the message (named by delivery reports)."""


def _http_failure(provider: str, response: requests.Response, detail: str = "") -> Exception:
    """Throttling, server errors and refused credentials are retried (credentials get fixed); other 4xx are not."""
    text = f"{provider} HTTP {response.status_code}{' ' + detail if detail else ''}"
    if response.status_code in (401, 403, 408, 429) or response.status_code >= 500:
        return TemporaryFailure(text)
    return PermanentFailure(text)


class AfricasTalking:
    name = AFRICASTALKING

    def __init__(self, config: Mapping[str, Any], http: requests.Session | None = None) -> None:
        self.url = f"{config['AFRICASTALKING_API_URL']}/version1/messaging"
        self.username, self.api_key = config["AFRICASTALKING_USERNAME"], config["AFRICASTALKING_API_KEY"]
        self.sender, self.timeout = config["SMS_SENDER_ID"], config["SMS_TIMEOUT"]
        self.http = http or requests.Session()

    def send(self, sms: OutgoingSms) -> str:
        form = {"username": self.username, "to": sms.to, "message": sms.text}
        if self.sender:
            form["from"] = self.sender
        try:
            response = self.http.post(self.url, data=form, timeout=self.timeout,
                                      headers={"apiKey": self.api_key, "Accept": "application/json"})
        except requests.RequestException as exc:
            raise TemporaryFailure(f"{self.name}: {type(exc).__name__}") from exc
        if response.status_code not in (200, 201):
            raise _http_failure(self.name, response)
        try:
            recipient = response.json()["SMSMessageData"]["Recipients"][0]
            code = int(recipient["statusCode"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise TemporaryFailure(f"{self.name}: unreadable answer") from exc
        if code in AT_ACCEPTED:
            return str(recipient.get("messageId", ""))[:100]
        failure = f"{self.name} status {code} {str(recipient.get('status', ''))[:40]}"
        raise (PermanentFailure if code in AT_PERMANENT else TemporaryFailure)(failure)


class Twilio:
    name = TWILIO

    def __init__(self, config: Mapping[str, Any], http: requests.Session | None = None) -> None:
        sid = config["TWILIO_ACCOUNT_SID"]
        self.url = f"{config['TWILIO_API_URL']}/2010-04-01/Accounts/{sid}/Messages.json"
        self.auth = (sid, config["TWILIO_AUTH_TOKEN"])
        self.sender, self.whatsapp_sender = config["SMS_SENDER_ID"], config["TWILIO_WHATSAPP_FROM"]
        self.status_callback = f"{config['PUBLIC_URL']}/channels/twilio/status"
        self.timeout = config["SMS_TIMEOUT"]
        self.http = http or requests.Session()

    def send(self, sms: OutgoingSms) -> str:
        whatsapp = sms.whatsapp and bool(self.whatsapp_sender)
        form = {
            "To": f"{WHATSAPP_PREFIX}{sms.to}" if whatsapp else sms.to,
            "From": f"{WHATSAPP_PREFIX}{self.whatsapp_sender}" if whatsapp else self.sender,
            "Body": sms.text,
            "StatusCallback": self.status_callback,
        }
        try:
            response = self.http.post(self.url, data=form, auth=self.auth, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TemporaryFailure(f"{self.name}: {type(exc).__name__}") from exc
        if response.status_code not in (200, 201):
            try:
                code = str(int(response.json().get("code")))
            except (ValueError, TypeError, AttributeError):
                code = ""
            raise _http_failure(self.name, response, f"error {code}" if code else "")
        try:
            return str(response.json()["sid"])[:100]
        except (ValueError, KeyError, TypeError) as exc:
            raise TemporaryFailure(f"{self.name}: unreadable answer") from exc


def from_config(config: Mapping[str, Any]) -> Provider | None:
    """The provider CIVICLY_SMS_PROVIDER names, if its credentials are set; None keeps SMS waiting in the outbox."""
    name = config.get("SMS_PROVIDER")
    if name == AFRICASTALKING and config["AFRICASTALKING_USERNAME"] and config["AFRICASTALKING_API_KEY"]:
        return AfricasTalking(config)
    if name == TWILIO and config["TWILIO_ACCOUNT_SID"] and config["TWILIO_AUTH_TOKEN"] and (
            config["SMS_SENDER_ID"] or config["TWILIO_WHATSAPP_FROM"]):
        return Twilio(config)
    return None
