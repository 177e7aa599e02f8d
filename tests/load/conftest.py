"""Databases for the load tests: a PostgreSQL database of their own (not the unit tests' one), or an SQLite file."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_URL = os.environ.get("CIVICLY_TEST_DATABASE_URL")
LOAD_DATABASE = "civicly_load"


@pytest.fixture
def postgres_load_url() -> str:
    """A database of its own on the test PostgreSQL server, created empty for each test."""
    if not PG_URL:
        pytest.skip("CIVICLY_TEST_DATABASE_URL is not set: no PostgreSQL for the load tests")
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {LOAD_DATABASE} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {LOAD_DATABASE}"))
    admin.dispose()
    return make_url(PG_URL).set(database=LOAD_DATABASE).render_as_string(hide_password=False)


@pytest.fixture
def sqlite_load_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'civicly.sqlite3'}"


@pytest.fixture
def report(request, capsys):
    """Print a run's figures on the terminal even when output is captured, labelled with the test's name."""

    def _report(figures: str) -> None:
        with capsys.disabled():
            print(f"\n[{request.node.name}] {figures}")

    return _report
