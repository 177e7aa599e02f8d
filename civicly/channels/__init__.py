"""Callbacks of the SMS, USSD and WhatsApp providers: each checked for the provider's secret, then a thin adapter
over triage.sms_intake and triage.ussd, like the web form over triage.intake."""
from flask import Blueprint

bp = Blueprint("channels", __name__, url_prefix="/channels")

from civicly.channels import views  # noqa: E402,F401
