"""Alembic environment: targets SQLModel.metadata; batch mode so the same migrations run on SQLite and PostgreSQL."""
from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlmodel import SQLModel

import civicly.models  # noqa: F401  (registers every table)
from civicly.db import make_engine

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = SQLModel.metadata


def database_url() -> str:
    """Given by ``civicly db`` (the app's setting), else CIVICLY_DATABASE_URL for plain ``alembic``."""
    url = config.attributes.get("database_url") or os.environ.get("CIVICLY_DATABASE_URL")
    if not url:
        raise RuntimeError("No database URL: run `civicly db upgrade` or set CIVICLY_DATABASE_URL.")
    return url


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
