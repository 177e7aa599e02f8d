"""Reading Open311 parameters as real clients send them: query string or body, loose spellings, several errors
at once."""
from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from werkzeug.datastructures import MultiDict

from civicly.triage.intake import TEXT_MAX, SubmissionInput
from civicly.triage.service_requests import RequestQuery

MEDIA_URL_MAX = 500
ATTRIBUTES_MAX = 50
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")
# "2026-01-31T09:30:00 01:00": a "+" sent unencoded in a query string arrives as a space.
SPACE_FOR_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")
STATUSES = ("open", "closed")
TRUE_WORDS = {"1", "true", "yes", "on"}

# intake's field names, as the Open311 client knows them
FIELD_NAMES = {"text": "description", "name": "first_name", "place": "address_string", "language": "locale",
               "photos": "media"}


class InvalidParameters(Exception):
    """``errors`` maps parameter names to messages; raised once with every problem found."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(errors))
        self.errors = errors


def first(values: MultiDict, *names: str) -> str:
    """The first non-empty value among ``names`` (clients spell some parameters differently)."""
    for name in names:
        value = (values.get(name) or "").strip()
        if value:
            return value
    return ""


def flag(values: MultiDict, name: str) -> bool:
    return first(values, name).lower() in TRUE_WORDS


def comma_list(value: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def parse_datetime(value: str) -> datetime:
    """A W3C datetime with its zone, in UTC; ValueError for anything else."""
    value = SPACE_FOR_PLUS.sub(r"\1+\2", value.strip())
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("no time zone")
    try:
        return parsed.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("out of range") from exc


def _number(values: MultiDict, name: str, errors: dict[str, list[str]]) -> float | None:
    raw = first(values, name)
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        errors[name] = [f"{name} must be a decimal number (WGS84 degrees)."]
        return None
    return number


def _integer(values: MultiDict, name: str, default: int, errors: dict[str, list[str]]) -> int:
    raw = first(values, name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        errors[name] = [f"{name} must be a whole number."]
        return default


def request_query(values: MultiDict) -> RequestQuery:
    """The filters of GET requests; raises InvalidParameters."""
    errors: dict[str, list[str]] = {}
    dates: dict[str, datetime | None] = {}
    for name in ("start_date", "end_date"):
        raw = first(values, name)
        dates[name] = None
        if raw:
            try:
                dates[name] = parse_datetime(raw)
            except ValueError:
                errors[name] = [f"{name} must be a W3C datetime with a time zone, e.g. 2026-01-31T00:00:00Z."]
    statuses = [s.lower() for s in comma_list(first(values, "status"))]
    if any(s not in STATUSES for s in statuses):
        errors["status"] = ["status must be open, closed, or both separated by a comma."]
    page = _integer(values, "page", 1, errors)
    page_size = _integer(values, "page_size", 1000, errors)
    if errors:
        raise InvalidParameters(errors)
    return RequestQuery(
        ids=comma_list(first(values, "service_request_id")),
        service_codes=comma_list(first(values, "service_code")),
        start=dates["start_date"], end=dates["end_date"],
        statuses=statuses, page=page, page_size=page_size,
    )


def _attributes(values: MultiDict) -> dict[str, str]:
    attributes = {}
    for key in values.keys():
        match = ATTRIBUTE.match(key) if isinstance(key, str) else None  # a malformed multipart part has no name
        if match:
            given = [v.strip() for v in values.getlist(key) if isinstance(v, str) and v.strip()]
            if given:
                attributes[match.group(1)] = ",".join(given)
    return attributes


def submission(values: MultiDict) -> tuple[SubmissionInput, dict[str, list[str]]]:
    """The input of POST requests and the errors only the API checks (intake checks the rest)."""
    errors: dict[str, list[str]] = {}
    description = first(values, "description")
    if len(description) > TEXT_MAX:
        errors["description"] = [f"description must be at most {TEXT_MAX} characters."]
    lat, long = _number(values, "lat", errors), _number(values, "long", errors)
    if (lat is None) != (long is None) and not ({"lat", "long"} & errors.keys()):
        errors["lat"] = ["lat and long must be given together."]
    address, address_id = first(values, "address_string"), first(values, "address_id")
    if lat is None and long is None and not address and not address_id and not ({"lat", "long"} & errors.keys()):
        errors["location"] = ["A location is required: lat and long, address_string or address_id."]
    media_url = first(values, "media_url")
    if media_url and (len(media_url) > MEDIA_URL_MAX or not re.match(r"^https?://[^\s/]+\S*$", media_url, re.I)):
        errors["media_url"] = [f"media_url must be an http(s) URL of at most {MEDIA_URL_MAX} characters."]
    attributes = _attributes(values)
    if len(attributes) > ATTRIBUTES_MAX:
        errors["attribute"] = [f"At most {ATTRIBUTES_MAX} attributes."]
    name = " ".join(p for p in (first(values, "first_name"), first(values, "last_name")) if p)
    data = SubmissionInput(
        text=description, name=name, email=first(values, "email"), phone=first(values, "phone"),
        place=address, channel="open311", department_code=first(values, "service_code"),
        latitude=lat, longitude=long, address_id=address_id, media_url=media_url,
        device_id=first(values, "device_id", "deviceid"), account_id=first(values, "account_id"),
        attributes=attributes, publish_consent=flag(values, "publish_consent"),
    )
    return data, errors
