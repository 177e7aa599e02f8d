"""Language choice (explicit choice in a cookie, then Accept-Language, then the default) and labels for templates."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, g, has_request_context, redirect, request
from flask_babel import get_locale, refresh
from flask_babel import lazy_gettext as _l

from civicly.extensions import babel
from civicly.languages import LANGUAGES

COOKIE = "civicly_lang"

STATUS_LABELS = {
    "new": _l("Received"),
    "acknowledged": _l("Acknowledged"),
    "in_progress": _l("In progress"),
    "resolved": _l("Resolved"),
    "rejected": _l("Rejected"),
    "duplicate": _l("Merged with a similar case"),
}
EVENT_LABELS = {
    "submitted": _l("Submission received"),
    "routed": _l("Sent to the ministry in charge"),
    "reassigned": _l("Transferred to another ministry"),
    "status": _l("Status changed"),
    "reply": _l("Answer from the ministry"),
    "confirmed": _l("Routing confirmed"),
    "urgency": _l("Urgency set"),
    "note": _l("Internal note"),
    "triage": _l("Waiting for manual triage"),
    "erased": _l("Personal data erased"),
    "purged": _l("Personal data erased after the retention period"),
    "published": _l("Published"),
    "unpublished": _l("Withdrawn from publication"),
    "grouped": _l("Grouped with other reports about the same problem"),
    "appended": _l("More of the message received"),
}
URGENCY_SOURCE_LABELS = {
    "officer": _l("officer"),
    "model": _l("model"),
    "rules": _l("rules"),
    "surge": _l("surge of similar reports"),
}
URGENCY_LABELS = {"high": _l("High"), "medium": _l("Medium"), "low": _l("Low")}
# How a case came in; the officer sees it in the queue and on the case page (a reply to an SMS goes by SMS).
CHANNEL_LABELS = {"web": _l("Web form"), "open311": _l("Open311"), "sms": _l("SMS"), "ussd": _l("USSD"),
                  "whatsapp": _l("WhatsApp"), "demo": _l("Demo data")}

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    if not has_request_context():  # CLI commands and background work use the configured default
        return current_app.config["DEFAULT_LOCALE"]
    chosen = g.get("chosen_locale") or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return _preferred_by_browser() or current_app.config["DEFAULT_LOCALE"]


def _preferred_by_browser() -> str | None:
    """The first language we serve in Accept-Language, by quality, with regional variants (ar-MA, sw-TZ) counting
    as their language: "sw-TZ, en;q=0.5" is Swahili, although only "en" matches one of our codes exactly."""
    ranked = sorted(request.accept_languages, key=lambda item: -item[1])
    for tag, quality in ranked:
        language = tag.replace("_", "-").split("-")[0].lower()
        if quality > 0 and language in LANGUAGES:
            return language
    return None


def choose_language_now(code: str) -> bool:
    """Switch this request to ``code`` (the page being rendered uses it); False for an unknown language."""
    if code not in LANGUAGES:
        return False
    g.chosen_locale = code
    refresh()
    return True


def remember_language(response: Response, code: str) -> Response:
    """Keep the citizen's explicit choice for later visits."""
    response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.get("/language/<code>")
def choose_language(code: str):
    """Remember the chosen language and go back to the page the citizen was on (same site only)."""
    target = request.args.get("next", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = redirect(target)
    return remember_language(response, code) if code in LANGUAGES else response


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_locale=app.config["DEFAULT_LOCALE"],
                   default_translation_directories="translations")
    app.register_blueprint(bp)

    @app.context_processor
    def _language_context() -> dict:
        return {
            "languages": list(LANGUAGES.items()),
            "current_locale": str(get_locale()),
            "status_label": lambda status: STATUS_LABELS.get(status, status),
            "event_label": lambda kind: EVENT_LABELS.get(kind, kind),
            "urgency_source_label": lambda source: URGENCY_SOURCE_LABELS.get(source, source),
            "urgency_label": lambda level: URGENCY_LABELS.get(level or "", _l("Not set")),
            "channel_label": lambda channel: CHANNEL_LABELS.get(channel, channel),
        }
