"""Who may call the channel callbacks, and how often a phone number may write.

Only the real provider gets in: Twilio signs each request (X-Twilio-Signature, checked by the twilio package over
the public URL Twilio called), Africa's Talking carries ``?token=`` equal to CIVICLY_CHANNEL_TOKEN. A channel whose
secret is not set is off. These callbacks are exempt from CSRF only because of these checks.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import abort, current_app, request
from limits import parse_many
from twilio.request_validator import RequestValidator

from civicly.extensions import limiter


def require_africastalking() -> None:
    """404 when the channel is off, 403 when the token is missing or wrong (compared in constant time)."""
    expected = current_app.config["CHANNEL_TOKEN"]
    if not expected:
        abort(404)
    given = request.args.get("token", "")
    if not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8")):
        abort(403)


def require_twilio() -> None:
    """404 when the channel is off, 403 unless Twilio's signature matches the URL it called and the form it sent."""
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    if not token:
        abort(404)
    url = current_app.config["PUBLIC_URL"] + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not RequestValidator(token).validate(url, request.form, signature):
        abort(403)


def within_limit(phone: str) -> bool:
    """Count one message from ``phone`` against CIVICLY_CHANNEL_RATE_LIMIT; False once it is over. Counted after
    the provider was checked, so no one else can spend a citizen's allowance; keyed by a digest, not the number."""
    if not limiter.enabled:
        return True
    key = hashlib.sha256(phone.encode()).hexdigest()[:32]
    return all([limiter.limiter.hit(item, "channels", key)
                for item in parse_many(current_app.config["CHANNEL_RATE_LIMIT"])])
