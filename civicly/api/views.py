"""Open311 endpoints: parse parameters, call triage, render JSON or XML. Nothing else happens here."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from importlib import resources
from typing import Any

from flask import Response, current_app, request, url_for
from flask_babel import force_locale, get_locale
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException, NotFound

from civicly import classify
from civicly.api import bp, formats, params
from civicly.db import get_read_session, get_session
from civicly.errors import InvalidSubmission, UnknownReference
from civicly.extensions import limiter
from civicly.languages import LANGUAGES
from civicly.models import ApiKey
from civicly.storage import current_storage
from civicly.triage import apikeys, intake, photos, publication, service_requests
from civicly.triage.service_requests import InvalidQuery, UnknownService

log = logging.getLogger(__name__)
FMT = "<any(json,xml):fmt>"
API_KEY_HEADER = "X-Api-Key"
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-03T00:00:00Z"  # when this API last changed; clients compare it to refresh their caches
EXTENSIONS = [
    {"name": "optional_service_code",
     "description": "POST requests without service_code: Civicly's model routes the request to a ministry, "
                    "or to manual triage when unsure."},
    {"name": "page",
     "description": "GET requests accepts page (from 1) and page_size (1 to 1000, default 1000)."},
    {"name": "publication",
     "description": "Without a key, GET requests shows only cases published by consent and moderation, under a "
                    "public id; a key also sees the requests it filed, under their reference. POST requests "
                    "accepts publish_consent=true (default false)."},
    {"name": "extensions",
     "description": "GET requests with extensions=true and a valid key adds extended_attributes: "
                    "urgency and the routing model's confidence and version."},
    {"name": "api_key",
     "description": f"The key goes in the {API_KEY_HEADER} header, or in the body of a POST; "
                    "never in the query string (400)."},
    {"name": "media",
     "description": "POST requests accepts up to 3 photos as multipart file parts named media (JPEG, PNG, WebP; "
                    "5 MB each), re-encoded without metadata. GET requests gives a published case's first photo "
                    "as media_url."},
    {"name": "locale",
     "description": "locale=fr|en|ar|sw names services in that language (otherwise Accept-Language)."},
]
REQUEST_XML = {"service_requests": "request"}


class Refused(HTTPException):
    """A refusal with the spec's error list: ``errors`` maps parameter names to messages."""

    def __init__(self, code: int, errors: Mapping[str, list[Any]]):
        super().__init__()
        self.code = code
        self.errors = errors


def _read_limit() -> str:
    return current_app.config["API_READ_RATE_LIMIT"]


def _write_limit() -> str:
    return current_app.config["API_WRITE_RATE_LIMIT"]


def _given_key() -> str:
    """The key from the header or, for a POST, the body. Never the query string, which proxies and logs keep."""
    key = request.headers.get(API_KEY_HEADER, "").strip()
    if not key and request.method == "POST":
        key = params.first(request.form, "api_key")
    return key


def _key_or_address() -> str:
    """POSTs are counted per key (hashed); keyless ones per address (they are refused anyway)."""
    key = _given_key()
    return f"key:{apikeys.key_hash(key)}" if key else get_remote_address()


def _ids_cost() -> int:
    """A GET naming several ids costs one read per id, so the read limit also bounds how many ids are tried; more
    than MAX_IDS are refused (400) without looking any up, and cost MAX_IDS."""
    wanted = len(params.comma_list(params.first(request.args, "service_request_id")))
    return min(max(1, wanted), service_requests.MAX_IDS)


def _locale() -> str:
    chosen = params.first(request.args, "locale").lower()
    return chosen if chosen in LANGUAGES else str(get_locale())


def _check_jurisdiction() -> None:
    """Empty means absent; any value but the configured one is unknown (404)."""
    given = params.first(request.values, "jurisdiction_id")
    if given and given.casefold() != current_app.config["OPEN311_JURISDICTION"].casefold():
        raise Refused(404, {"jurisdiction_id": ["Unknown jurisdiction_id."]})


def _api_key() -> ApiKey | None:
    """The caller's valid key, or None; refuses (400) a key sent in the query string rather than ignore it."""
    if params.first(request.args, "api_key"):
        raise Refused(400, {"api_key": [f"Send the key in the {API_KEY_HEADER} header or in a POST body, "
                                        "never in the query string."]})
    return apikeys.authenticate(get_session(), _given_key())


def _refused(error: HTTPException) -> Response:
    """Every error under the prefix in the spec's format (the app's own pages are HTML)."""
    if (error.code or 500) >= 500:
        log.error("internal error in the Open311 API", exc_info=True)
    fmt = (request.view_args or {}).get("fmt") or ("xml" if request.path.endswith(".xml") else "json")
    code = error.code or 400
    if isinstance(error, Refused):
        messages = [f"{name}: {m}" for name, msgs in error.errors.items() for m in msgs]
    else:
        messages = [error.description or error.name]
    response = formats.errors(fmt, code, messages)
    if code == 429:
        response.headers["Retry-After"] = str(getattr(error, "retry_after", None) or 60)
    return response


bp.register_error_handler(HTTPException, _refused)
for _code in (400, 403, 404, 405, 413, 429, 500):  # the app's handlers for these codes would come first
    bp.register_error_handler(_code, _refused)


@bp.get("/discovery." + FMT)
@limiter.limit(_read_limit)
def discovery(fmt: str) -> Response:
    formats_offered = [formats.MIMETYPES["xml"], formats.MIMETYPES["json"]]
    body = {
        "changeset": CHANGESET,
        "contact": current_app.config["API_CONTACT"],
        "key_service": current_app.config["API_KEY_SERVICE"],
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": url_for("api.discovery", fmt=fmt, _external=True).rsplit("/", 1)[0],
            "changeset": CHANGESET,
            "type": "production" if current_app.config["ENV_NAME"] == "production" else "test",
            "formats": formats_offered,
        }],
        "extensions": EXTENSIONS,
    }
    return formats.respond(fmt, body, root="discovery", item_tags={
        "endpoints": "endpoint", "formats": "format", "extensions": "extension"})


@bp.get("/services." + FMT)
@limiter.limit(_read_limit)
def services(fmt: str) -> Response:
    _check_jurisdiction()
    locale = _locale()
    with force_locale(locale):
        found = service_requests.list_services(get_read_session(), locale)
    return formats.respond(fmt, found, root="services", item="service")


@bp.get("/services/<code>." + FMT)
@bp.get("/service/<code>." + FMT)
@limiter.limit(_read_limit)
def service_definition(code: str, fmt: str) -> Response:
    _check_jurisdiction()
    try:
        service = service_requests.get_service(get_read_session(), code, _locale())
    except UnknownService:
        raise Refused(404, {"service_code": ["No such service."]}) from None
    body = {"service_code": service.service_code, "attributes": []}
    return formats.respond(fmt, body, root="service_definition", item_tags={"attributes": "attribute"})


@bp.get("/requests." + FMT)
@limiter.limit(_read_limit, cost=_ids_cost)
def list_requests(fmt: str) -> Response:
    _check_jurisdiction()
    key = _api_key()
    extended = _extended_allowed(key)
    try:
        query = params.request_query(request.args)
        found = service_requests.find_requests(get_read_session(), query, _locale(), _key_id(key), extended,
                                               photo_url=_photo_url)
    except (params.InvalidParameters, InvalidQuery) as exc:
        raise Refused(400, exc.errors) from None
    return formats.respond(fmt, [r.as_dict() for r in found], root="service_requests", item_tags=REQUEST_XML)


@bp.get("/requests/<request_id>." + FMT)
@bp.get("/request/<request_id>." + FMT)
@limiter.limit(_read_limit)
def get_request(request_id: str, fmt: str) -> Response:
    _check_jurisdiction()
    key = _api_key()
    extended = _extended_allowed(key)
    try:
        found = service_requests.get_request(get_read_session(), request_id, _locale(), _key_id(key), extended,
                                             photo_url=_photo_url)
    except UnknownReference:
        raise Refused(404, {"service_request_id": ["No such service request."]}) from None
    return formats.respond(fmt, [found.as_dict()], root="service_requests", item_tags=REQUEST_XML)


def _photo_url(public_id: str) -> str:
    return url_for("api.published_photo", public_id=public_id, number=1, _external=True)


@bp.get("/media/<public_id>/<int:number>.jpg")
@limiter.limit(_read_limit)
def published_photo(public_id: str, number: int) -> Response:
    """A published case's photo, for anyone; 404 once the case is withdrawn, and for every other case."""
    try:
        stored = publication.published_photo(get_session(), current_storage(), public_id, number)
    except UnknownReference:
        raise Refused(404, {"media": ["No such photo."]}) from None
    response = Response(stored.data, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = f'inline; filename="{public_id}-{number}.jpg"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _key_id(key: ApiKey | None) -> int | None:
    return key.id if key is not None else None


def _extended_allowed(key: ApiKey | None) -> bool:
    """extensions=true shows triage details, to holders of a valid key only."""
    if not params.flag(request.args, "extensions"):
        return False
    if key is None:
        raise Refused(403, {"api_key": ["extensions=true needs a valid api_key."]})
    return True


@bp.post("/requests." + FMT)
@limiter.limit(_write_limit, key_func=_key_or_address)
@limiter.limit(_read_limit)  # also per address, so made-up keys do not each get a fresh allowance
def create_request(fmt: str) -> Response:
    _check_jurisdiction()
    key = _api_key()
    if key is None:
        raise Refused(403, {"api_key": ["A valid api_key is required to file a service request."]})
    data, errors = params.submission(request.values)
    data.filed_by_key_id = key.id
    data.photos = photos.uploads_from(request.files.getlist("media"))  # FixMyStreet's client sends one
    country = current_app.config["COUNTRY"]
    session = get_session()
    if data.department_code:
        try:
            service_requests.get_service(session, data.department_code, _locale())
        except UnknownService:
            errors["service_code"] = ["No such service; omit service_code to let Civicly route the request."]
    try:
        data = intake.validate(data, country)  # photos re-encoded once, here
    except InvalidSubmission as exc:
        errors = {**{params.FIELD_NAMES.get(k, k): v for k, v in exc.errors.items()}, **errors}
    if errors:
        raise Refused(400, errors)
    case = intake.submit(session, data, route=classify.request_router(), storage=current_storage(), country=country)
    tracking = url_for("citizen.case", reference=case.reference, _external=True)
    body = [{"service_request_id": case.reference,
             "service_notice": f"Follow this request at {tracking}",
             "account_id": case.account_id}]
    return formats.respond(fmt, body, root="service_requests", item="request")


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI description of this API, kept true by a test that fuzzes the API against it."""
    return Response(resources.files("civicly.api").joinpath("openapi.json").read_bytes(), mimetype="application/json")


@bp.route("/", methods=ALL_METHODS)
@bp.route("/<anypath:_rest>", methods=ALL_METHODS)
def unknown(_rest: str = "") -> Response:
    """Anything else under the prefix answers in the API's format, not with a web page."""
    raise NotFound("No such endpoint; see discovery.json.")
