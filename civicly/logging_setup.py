"""JSON log lines with a request id: one line per request, never the body or personal data.

Code logs no personal data; as a safety net, each message and traceback goes through ``privacy.redact`` on its way
out (an SMTP refusal quoting an address, an exception quoting a value), so an e-mail address, phone or identity
number that slips into a log call is written as ``[email]``, ``[phone]``, ``[id]``.

The request id comes from a sane ``X-Request-ID`` header (set by the reverse proxy) or is generated,
and is echoed in the response so a citizen's error page, the proxy's log and ours can be matched.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

from civicly import privacy

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:+/=-]{8,128}$")
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")
# Fields that hold no free text, written as given: a model version (20261203-183646-d2695c) reads as a phone number
# to the redaction in messages.
FACT_FIELDS = (*REQUEST_FIELDS, "model_version")

request_log = logging.getLogger("civicly.request")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, and the request fields if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": privacy.redact(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            line["request_id"] = request_id
        line.update({name: getattr(record, name) for name in FACT_FIELDS if hasattr(record, name)})
        if record.exc_info:
            line["exception"] = privacy.redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


def current_request_id() -> str | None:
    """The id of the request being served, if any (usable from any log call)."""
    return g.get("request_id") if has_request_context() else None


def _incoming_request_id() -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    return offered if SANE_REQUEST_ID.match(offered) else uuid.uuid4().hex


def _install_handler() -> None:
    """Send ``civicly.*`` logs to stderr as JSON unless logging was already configured (gunicorn, pytest)."""
    logger = logging.getLogger("civicly")
    if logger.hasHandlers():
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def init_app(app: Flask) -> None:
    """Wire before the other extensions, so the request id exists before any of them can refuse a request."""
    _install_handler()

    @app.before_request
    def _start() -> None:
        g.request_id = _incoming_request_id()
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        if "request_id" not in g:  # refused before our before_request ran
            _start()
        response.headers[REQUEST_ID_HEADER] = g.request_id
        duration_ms = round((time.perf_counter() - g.request_started) * 1000, 1)
        request_log.info("request", extra={"request_id": g.request_id, "method": request.method, "path": request.path,
                                           "status": response.status_code, "duration_ms": duration_ms})
        return response
