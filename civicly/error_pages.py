"""Friendly pages for HTTP errors, in the citizen's language; never a stack trace."""
from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# Raised when the database cannot answer; blueprints that keep a form's input register these too.
DATABASE_ERRORS = (DBAPIError, PoolTimeout, PendingRollbackError)
RETRY_AFTER_SECONDS = 30


def _page(heading: str, message: str, status: int, **headers: str):
    return render_template("errors/page.html", heading=heading, message=message), status, headers


def is_database_outage(error: BaseException) -> bool:
    """Down, restarting, locked or out of connections: worth a 503 and a retry, unlike a bug in a query."""
    if isinstance(error, (OperationalError, PoolTimeout, PendingRollbackError)):
        return True  # PendingRollbackError: the connection was lost earlier in this same unit of work
    return isinstance(error, DBAPIError) and error.connection_invalidated


def retry_later_headers() -> dict[str, str]:
    return {"Retry-After": str(RETRY_AFTER_SECONDS)}


def database_unavailable(error: Exception):
    """A 503 with Retry-After for an outage; any other database error stays a 500 (re-raised)."""
    if not is_database_outage(error):
        raise error
    log.error("database unavailable: %s", (str(getattr(error, "orig", None) or error).splitlines() or [""])[0])
    return _page(_("Service temporarily unavailable"),
                 _("We cannot reach our database right now, so nothing was saved. Please try again in a minute."),
                 503, **retry_later_headers())


def init_app(app: Flask) -> None:
    for error_class in DATABASE_ERRORS:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError):
        log.warning("CSRF check failed: %s", _error.description)
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(404)
    def _not_found(_error: HTTPException):
        return _page(_("Page not found"),
                     _("This page does not exist. Check the address, or start again from the form."), 404)

    @app.errorhandler(405)
    def _method(_error: HTTPException):
        return _page(_("Not allowed"), _("This page cannot be used this way."), 405)

    @app.errorhandler(413)
    def _too_large(_error: HTTPException):
        return _page(_("Too much data"), _("What you sent is too large. Please shorten your message."), 413)

    @app.errorhandler(429)
    def _too_many(error: HTTPException):
        retry = getattr(error, "retry_after", None) or 60
        return _page(_("Too many requests"),
                     _("You have sent too many requests. Please wait %(seconds)s seconds and try again.",
                       seconds=retry),
                     429, **{"Retry-After": str(retry)})

    @app.errorhandler(400)
    def _bad_request(_error: HTTPException):
        return _page(_("Something was wrong with the request"), _("Please go back and try again."), 400)

    @app.errorhandler(500)
    def _server_error(_error: Exception):
        log.error("internal error", exc_info=True)
        return _page(_("Sorry, something went wrong"),
                     _("Nothing you typed is lost on our side if you got a reference; "
                       "otherwise please try again in a moment."), 500)
