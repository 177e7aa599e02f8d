"""Filling a bench database with many cases fast: executemany on SQLite, COPY on PostgreSQL.

Each case gets its prediction and two events (submitted, routed), as intake stores them, so the queue's and the
case page's secondary queries read tables of a realistic size. Ministries are unevenly loaded, as in life.
"""
from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import MetaData, Table, text
from sqlalchemy.engine import Engine

from bench.routing_model import sample_rows
from civicly.references import ALPHABET, PREFIX

BATCH = 20_000
STATUSES = (("new", 30), ("acknowledged", 15), ("in_progress", 15), ("resolved", 30), ("rejected", 5), ("duplicate", 5))
URGENCIES = ((None, 0, 10), ("low", 1, 40), ("medium", 2, 40), ("high", 3, 10))
LANGUAGES = ("fr", "en", "ar", "sw")
TEXT_CHARS = 600


def reference(n: int) -> str:
    """A unique, valid reference for the n-th case (base 32 digits of n, scrambled by a multiplier)."""
    value = (n * 0x9E3779B1) % (32 ** 8)
    digits = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(7, -1, -1))
    return f"{PREFIX}-{digits[:4]}-{digits[4:]}"


def _weighted(choices: tuple, rng: random.Random, k: int) -> list:
    return rng.choices([c[:-1] for c in choices], weights=[c[-1] for c in choices], k=k)


def _cases(count: int, codes: dict[int, str], seed: int) -> Iterator[tuple[dict, dict, list[dict]]]:
    """(case, prediction, events) rows; ids are 1..count so the child rows can point at them."""
    rng = random.Random(seed)
    texts = [row["text"][:TEXT_CHARS] for row in sample_rows(2_000, seed=seed)]
    department_ids = list(codes)
    ministry_weights = [1 / (k + 1) ** 0.7 for k in range(len(department_ids))]
    now = datetime.now(UTC).replace(tzinfo=None)
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        statuses = _weighted(STATUSES, rng, size)
        urgencies = _weighted(URGENCIES, rng, size)
        departments = rng.choices(department_ids, weights=ministry_weights, k=size)
        for i in range(size):
            case_id = start + i + 1
            created = now - timedelta(seconds=rng.uniform(0, 365 * 86_400))
            triage = rng.random() < 0.05
            department = None if triage else departments[i]
            (status,), (urgency, rank) = statuses[i], urgencies[i]
            body = texts[case_id % len(texts)]
            case = {
                "id": case_id, "reference": reference(case_id), "text": body, "text_redacted": body,
                "place": "Kaolack", "language": LANGUAGES[case_id % 4], "channel": "web", "status": status,
                "department_id": department, "needs_triage": triage, "urgency": urgency, "urgency_rank": rank,
                "urgency_score": rank + rng.random() if urgency else 0.0,
                "urgency_source": "model" if urgency else None,
                "version": 1, "created_at": created, "updated_at": created, "attributes": "{}",
                "deadline_at": created + timedelta(days=rng.randint(1, 30)) if rng.random() < 0.7 else None,
            }
            prediction = {
                "id": case_id, "case_id": case_id, "model_version": "bench", "confidence": rng.random(),
                "department_code": codes.get(department), "auto_routed": not triage, "top3": "[]", "reasons": "[]",
                "urgency": urgency, "urgency_score": case["urgency_score"], "urgency_reasons": "[]",
                "language": case["language"], "created_at": created,
            }
            events = [
                {"id": 2 * case_id - 1, "case_id": case_id, "kind": "submitted", "actor": "citizen:web", "public": True,
                 "before": "{}", "after": json.dumps({"channel": "web"}), "created_at": created},
                {"id": 2 * case_id, "case_id": case_id, "kind": "triage" if triage else "routed",
                 "actor": "model:bench", "public": not triage, "before": "{}", "after": "{}", "created_at": created},
            ]
            yield case, prediction, events


def fill(engine: Engine, count: int, seed: int = 0) -> None:
    """Insert ``count`` cases with their predictions and events into an empty, migrated database."""
    metadata = MetaData()
    tables = {name: Table(name, metadata, autoload_with=engine) for name in ("cases", "predictions", "events")}
    with engine.connect() as connection:
        codes = dict(connection.execute(text("SELECT id, code FROM departments ORDER BY id")).all())
    batches: dict[str, list[dict]] = {name: [] for name in tables}
    write = _copy if engine.dialect.name == "postgresql" else _executemany
    with engine.begin() as connection:
        for case, prediction, events in _cases(count, codes, seed):
            batches["cases"].append(case)
            batches["predictions"].append(prediction)
            batches["events"].extend(events)
            if len(batches["cases"]) >= BATCH:
                for name, rows in batches.items():
                    write(connection, tables[name], rows)
                    rows.clear()
        for name, rows in batches.items():
            write(connection, tables[name], rows)
        if engine.dialect.name == "postgresql":
            for name in tables:
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}"))
        connection.execute(text("ANALYZE"))


def _complete(table: Table, rows: list[dict]) -> tuple[list[str], list[dict[str, Any]]]:
    """Rows with every column, the not-null ones this module does not know (added later) filled with a zero value."""
    filler = {}
    for column in table.columns:
        if column.name not in rows[0] and not column.nullable and column.server_default is None:
            python_type = column.type.python_type
            filler[column.name] = "{}" if python_type in (dict, list) else python_type()
    names = [c.name for c in table.columns if c.name in rows[0] or c.name in filler]
    return names, [{**filler, **row} for row in rows]


def _executemany(connection, table: Table, rows: list[dict]) -> None:
    if not rows:
        return
    names, rows = _complete(table, rows)
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    connection.exec_driver_sql(sql, [tuple(_sqlite_value(row[n]) for n in names) for row in rows])


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy itself would store in SQLite: datetimes as ISO text with a space."""
    return value.isoformat(sep=" ", timespec="microseconds") if isinstance(value, datetime) else value


def _copy(connection, table: Table, rows: list[dict]) -> None:
    if not rows:
        return
    names, rows = _complete(table, rows)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row[n] for n in names))
