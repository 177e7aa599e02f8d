"""The bench's own databases: an SQLite file under instance/bench and a PostgreSQL database of its own.

Never the tests' databases: the PostgreSQL one is ``civicly_bench`` (or CIVICLY_BENCH_DATABASE_URL), dropped and
created again for each step that needs a fresh one.
"""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, func, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from civicly import migrate
from civicly.db import make_engine
from civicly.models import Department

ROOT = Path(__file__).resolve().parent.parent
WORK_DIR = ROOT / "instance" / "bench"
POSTGRES_URL = os.environ.get("CIVICLY_BENCH_DATABASE_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/civicly_bench")
MINISTRIES = 20


def work_dir() -> Path:
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    return WORK_DIR


def postgres_available() -> bool:
    try:
        engine = create_engine(make_url(POSTGRES_URL).set(database="postgres"))
        with engine.connect():
            pass
        engine.dispose()
        return True
    except OperationalError:
        return False


def backends() -> list[str]:
    return ["sqlite"] + (["postgresql"] if postgres_available() else [])


def fresh_database(backend: str, name: str) -> str:
    """An empty, migrated database with the ministries seeded; returns its URL."""
    if backend == "sqlite":
        path = work_dir() / f"{name}.sqlite3"
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = _fresh_postgres()
    migrate.upgrade(url)
    seed_ministries(url)
    return url


def _fresh_postgres() -> str:
    url = make_url(POSTGRES_URL)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return url.render_as_string(hide_password=False)


def seed_ministries(url: str) -> None:
    """The demo ministries, plus numbered ones up to MINISTRIES, so queues are split as in a real government."""
    from civicly.triage.departments import seed_from_file

    engine = make_engine(url)
    with Session(engine) as session:
        seed_from_file(session)
        existing = session.exec(select(func.count()).select_from(Department)).one()
        for n in range(existing + 1, MINISTRIES + 1):
            session.add(Department(code=f"MIN{n:02d}", name_fr=f"Ministère {n}", name_en=f"Ministry {n}"))
        session.commit()
    engine.dispose()
