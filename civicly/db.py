"""One engine per app, one session per request or CLI command, committed at the edge; and, when
CIVICLY_DATABASE_REPLICA_URL is set, a read-only session on the replica for the pages that only read a lot (the
dashboard, exports, Open311 GET). The queue and everything that writes stay on the primary."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, after_this_request, current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

ENGINE_KEY = "civicly.engine"
REPLICA_KEY = "civicly.replica_engine"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL and enforced foreign keys, PostgreSQL a checked pool.

    Parameters are kept out of error messages, so what a citizen typed never reaches the logs.
    """
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # pre-ping: connections broken by a database restart are replaced, not handed to a request;
    # connect_timeout: an unreachable server fails the request quickly (a 503) instead of hanging a worker.
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5}, **kwargs)


def init_app(app: Flask) -> None:
    app.extensions[ENGINE_KEY] = make_engine(app.config["DATABASE_URL"])
    if app.config.get("DATABASE_REPLICA_URL"):
        app.extensions[REPLICA_KEY] = make_engine(app.config["DATABASE_REPLICA_URL"])
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    return current_app.extensions[ENGINE_KEY]


def get_session() -> Session:
    """The session of the current request or command, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
        if has_request_context():
            after_this_request(_commit_request)
    return g.db_session


def get_read_session() -> Session:
    """A session for reads that may lag the primary by a moment: on the replica when one is configured (never
    committed: it only reads), otherwise the request's own session."""
    replica = current_app.extensions.get(REPLICA_KEY)
    if replica is None:
        return get_session()
    if "db_read_session" not in g:
        g.db_read_session = Session(replica, expire_on_commit=False)
    return g.db_read_session


def _commit_request(response: Response) -> Response:
    """Commit the request's unit of work before its response leaves, so a failed commit still becomes an error page.

    Run before the app's after_request hooks (security headers, metrics, log line), which then see the final response.
    A response of 500 or more rolls back; so does a commit that fails, whose error is handled like one the view raised
    (a database outage: the 503 page, with the citizen's form where the blueprint keeps it).
    """
    session = g.get("db_session")
    if session is None:
        return response
    if response.status_code >= 500:
        session.rollback()
        return response
    try:
        session.commit()
    except Exception as error:
        session.rollback()
        return current_app.make_response(current_app.handle_user_exception(error))
    return response


def _close_session(_exc: BaseException | None) -> None:
    """Closing rolls back what was not committed: an exception that skipped the hook, a command without
    unit_of_work()."""
    for key in ("db_session", "db_read_session"):
        session = g.pop(key, None)
        if session is not None:
            session.close()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """The session of the current command, committed once if the block succeeds and rolled back if it raises.

    Services only flush; a CLI command or a worker step is one unit of work, so a failure leaves nothing half-done.
    """
    session = get_session()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()
