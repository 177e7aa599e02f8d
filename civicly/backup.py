"""Online backup and restore of the embedded SQLite database (PostgreSQL uses pg_dump/pg_restore, see docs)."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup or restore cannot be done as asked; the message says what to do instead."""


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupError("This database is not SQLite: use pg_dump / pg_restore (see docs/production.md).")
    return Path(url.database)


def backup(database_url: str, target: Path) -> None:
    """Copy the live database with SQLite's online backup API (consistent while the app keeps running)."""
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name.")
    with closing(sqlite3.connect(sqlite_path(database_url))) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)


def restore(database_url: str, source_file: Path) -> None:
    """Replace the database's content with a backup, after checking the backup is a readable Civicly database."""
    if not source_file.is_file():
        raise BackupError(f"{source_file} does not exist.")
    with closing(sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)) as source:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{source_file} is damaged (integrity check failed).")
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"cases", "alembic_version"} <= tables:
            raise BackupError(f"{source_file} is not a Civicly database.")
        with closing(sqlite3.connect(sqlite_path(database_url))) as target:
            source.backup(target)
