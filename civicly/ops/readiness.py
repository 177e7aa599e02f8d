"""The checks behind ``/readyz`` and ``civicly check``: can this process store and route submissions now?"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from limits.storage import storage_from_string
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from civicly import classify, migrate
from civicly.config import check_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    """One verdict: ``detail`` is safe to show publicly, ``hint`` is for the operator."""

    name: str
    ok: bool
    detail: str
    hint: str = ""
    version: str | None = None


def _reason(exc: BaseException) -> str:
    """The driver's own message, first line only (SQLAlchemy's wrapper adds SQL and a link)."""
    return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]


def database_check(engine: Engine) -> Check:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("database not reachable: %s", _reason(exc))
        return Check("database", False, "unreachable", hint=_reason(exc))
    return Check("database", True, "ok")


def migrations_check(engine: Engine, database_url: str) -> Check:
    heads = set(ScriptDirectory.from_config(migrate.alembic_config(database_url)).get_heads())
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        return Check("migrations", False, "unknown (database unreachable)", hint=_reason(exc))
    if current == heads:
        return Check("migrations", True, "ok", version=", ".join(sorted(heads)))
    return Check("migrations", False, f"database at {', '.join(sorted(current)) or 'no migration'}, "
                                      f"code expects {', '.join(sorted(heads))}", hint="run: civicly db upgrade")


def model_check() -> Check:
    holder = classify.holder()
    try:
        model, version = holder.current()
    except Exception as exc:  # an unreadable registry is a readiness verdict, not a crash
        log.warning("model registry unreadable: %s", exc)
        return Check("model", False, f"model registry unreadable: {exc}", hint=f"CIVICLY_MODEL_DIR={holder.model_dir}")
    if model is None:
        return Check("model", False, holder.last_error or "no active model version",
                     hint="train and promote one (civicly model train), or sign a version you trust (civicly "
                          "model sign VERSION); submissions are stored unrouted meanwhile")
    return Check("model", True, "ok", version=version)


def rate_limit_storage_check(storage_uri: str) -> Check:
    scheme = storage_uri.split(":", 1)[0]
    try:
        reachable = storage_from_string(storage_uri).check()
    except Exception as exc:  # a missing driver or a malformed URI: report it like an unreachable server
        return Check("rate limits", False, f"{scheme} storage unusable", hint=str(exc))
    if not reachable:
        return Check("rate limits", False, f"{scheme} storage unreachable", hint="check CIVICLY_REDIS_URL")
    return Check("rate limits", True, f"ok ({scheme})")


def settings_check(config: Mapping[str, Any], workers: int) -> Check:
    """Settings safe for production with ``workers`` server processes (``civicly check`` only: not a public verdict)."""
    problems = check_settings(config, workers)
    if problems:
        return Check("settings", False, f"{len(problems)} unsafe for production", hint="\n    -> ".join(problems))
    return Check("settings", True, f"ok ({config['ENV_NAME']}, {workers} worker(s))")


def serve_checks(config: Mapping[str, Any], engine: Engine, workers: int) -> list[Check]:
    """Everything to fix before serving: settings, database, migrations, routing model, rate-limit storage."""
    return [
        settings_check(config, workers),
        database_check(engine),
        migrations_check(engine, config["DATABASE_URL"]),
        model_check(),
        rate_limit_storage_check(config["RATELIMIT_STORAGE_URI"]),
    ]
