"""Citizen pages: thin adapters over triage.intake and triage.tracking."""
from __future__ import annotations

import uuid

from flask import Response, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from civicly import areas, classify, error_pages
from civicly.citizen import bp, satisfaction
from civicly.citizen.forms import SubmissionForm, TrackForm, area_choices
from civicly.db import get_session
from civicly.errors import InvalidSubmission, UnknownReference
from civicly.extensions import limiter
from civicly.i18n import choose_language_now, remember_language
from civicly.storage import current_storage
from civicly.triage import intake, photos, tracking

# Intake's fields the form has no visible control for: their errors are shown where the citizen can act on them.
SHOWN_AT = {"lat": "place", "long": "place"}
# The form may ask the browser for its position (civicly.js, on the citizen's click); every other page may not.
FORM_PERMISSIONS = "camera=(), microphone=(), geolocation=(self)"


def _submit_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


def _track_limit() -> str:
    return current_app.config["TRACK_RATE_LIMIT"]


def _page(form: SubmissionForm, status: int = 200, **context) -> Response:
    """The form page, its areas named in the page's language."""
    form.area_code.choices = area_choices(areas.areas(current_app.config["COUNTRY"], str(get_locale())))
    response = make_response(render_template("citizen/submit.html", form=form, max_photos=photos.MAX_PHOTOS,
                                             max_photo_bytes=photos.MAX_BYTES, **context), status)
    response.headers["Permissions-Policy"] = FORM_PERMISSIONS
    return response


def _render_form(form: SubmissionForm, status: int = 200, **context) -> Response:
    """The submission form. Its language buttons post it: it comes back as typed, unvalidated, in that language."""
    code = request.form.get("switch_language", "")
    chosen = choose_language_now(code)
    response = _page(form, status, **context)
    return remember_language(response, code) if chosen else response


def _coordinate(value: str | None) -> float | None:
    """A number the page's script wrote, or None (nothing given, or not a number)."""
    try:
        return float(value) if value else None
    except ValueError:
        return None


@bp.get("/")
def home():
    return redirect(url_for("citizen.submit"))


@bp.route("/submit", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def submit():
    form = SubmissionForm()
    if request.method == "GET":
        form.form_token.data = uuid.uuid4().hex
        return _page(form)
    if request.form.get("switch_language"):
        return _render_form(form)
    if not form.validate_on_submit():  # only the CSRF token can fail here
        return _page(form, 400, form_error=True)
    if form.website.data:
        form.website.errors = [_("Please leave this field empty.")]
        return _page(form, 400, form_error=True)
    uploads = photos.uploads_from(request.files.getlist("photos"))
    data = intake.SubmissionInput(
        text=form.text.data or "", name=form.name.data or "", email=form.email.data or "",
        phone=form.phone.data or "", place=form.place.data or "", language=form.language.data or "",
        channel="web", form_token=form.form_token.data or "", publish_consent=bool(form.publish_consent.data),
        sms_consent=bool(form.sms_consent.data),
        area_code=form.area_code.data or "", latitude=_coordinate(form.latitude.data),
        longitude=_coordinate(form.longitude.data), device_position=True, photos=uploads,
    )
    try:
        case = intake.submit(get_session(), data, route=classify.request_router(), storage=current_storage(),
                             country=current_app.config["COUNTRY"])
    except InvalidSubmission as exc:
        for name, messages in exc.errors.items():
            getattr(form, SHOWN_AT.get(name, name)).errors = list(messages)
        return _page(form, 400, form_error=True, photos_dropped=bool(uploads))
    return redirect(url_for("citizen.case", reference=case.reference, new=1), code=303)


@bp.errorhandler(CSRFError)
def csrf_failed(_error: CSRFError):
    """An expired or missing token: show the form again with everything the citizen typed."""
    if request.endpoint == "citizen.submit":
        form = SubmissionForm(meta={"csrf": True})
        form.form_token.data = form.form_token.data or uuid.uuid4().hex
        return _render_form(form, 400, csrf_expired=True)
    return render_template("errors/csrf.html"), 400


@bp.get("/track")
@limiter.limit(_track_limit)
def track():
    form = TrackForm(request.args)
    typed = (form.reference.data or "").strip()
    if not typed:
        return render_template("citizen/track.html", form=form)
    try:
        public = tracking.track(get_session(), typed, str(get_locale()))
    except UnknownReference:
        return render_template("citizen/track.html", form=form, not_found=True), 404
    return redirect(url_for("citizen.case", reference=public.reference))


@bp.get("/track/<reference>")
@limiter.limit(_track_limit)
def case(reference: str):
    try:
        public = tracking.track(get_session(), reference, str(get_locale()))
    except UnknownReference:
        form = TrackForm(data={"reference": reference[:20]})
        return render_template("citizen/track.html", form=form, not_found=True), 404
    if public.reference != reference:
        return redirect(url_for("citizen.case", reference=public.reference))
    return render_template("citizen/case.html", case=public, just_submitted=request.args.get("new") == "1",
                           rated=request.args.get("rated") == "1", reopened=request.args.get("reopened") == "1",
                           **satisfaction.survey_context(public.reference))


def _database_unavailable(error: Exception):
    """The database is down: a sent form comes back with everything typed (503), so the citizen loses nothing."""
    if request.endpoint == "citizen.submit" and request.method == "POST" and error_pages.is_database_outage(error):
        form = SubmissionForm()
        response = _page(form, 503, unavailable=True, photos_dropped=bool(request.files))
        response.headers.update(error_pages.retry_later_headers())
        return response
    return error_pages.database_unavailable(error)


for _error_class in error_pages.DATABASE_ERRORS:
    bp.register_error_handler(_error_class, _database_unavailable)
