"""Migrations go up and down on every backend, and match the models exactly."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.schema import CreateIndex

from civicly import migrate
from civicly.db import make_engine
from civicly.models import SQLModel
from civicly.models.cases import QUEUE_ORDER_INDEX, TRIAGE_ORDER_INDEX


def table_names(url):
    engine = make_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def test_migrations_run_down_to_base_and_up_again(database_url):
    assert {"cases", "departments", "events", "predictions"} <= table_names(database_url)
    migrate.downgrade(database_url, "base")
    assert table_names(database_url) <= {"alembic_version"}
    migrate.upgrade(database_url, "head")
    assert {"cases", "departments", "events", "predictions"} <= table_names(database_url)


def test_models_and_migrations_agree(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert diff == []


def case_indexes(url):
    engine = make_engine(url)
    indexes = {index["name"]: index["column_names"] for index in inspect(engine).get_indexes("cases")}
    engine.dispose()
    return indexes


def test_queue_order_indexes_go_down_to_the_previous_ones(database_url):
    assert {"ix_cases_queue_order", "ix_cases_triage_order"} <= set(case_indexes(database_url))
    migrate.downgrade(database_url, "0003")
    indexes = case_indexes(database_url)
    assert indexes["ix_cases_queue"] == ["department_id", "status", "urgency_rank", "urgency_score", "created_at"]
    assert indexes["ix_cases_triage"] == ["needs_triage", "status", "urgency_rank", "created_at"]
    assert not {"ix_cases_queue_order", "ix_cases_triage_order"} & set(indexes)
    migrate.upgrade(database_url, "head")
    assert {"ix_cases_queue_order", "ix_cases_triage_order"} <= set(case_indexes(database_url))


@pytest.mark.parametrize("index", [QUEUE_ORDER_INDEX, TRIAGE_ORDER_INDEX], ids=lambda index: index.name)
def test_sqlite_queue_order_indexes_match_the_models_with_their_sort_order(sqlite_template, index):
    """compare_metadata checks only the columns of an SQLite index, not DESC: compare the whole definitions."""
    engine = make_engine(f"sqlite:///{sqlite_template}")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :name"), {"name": index.name}).scalar()
    engine.dispose()
    assert stored == str(CreateIndex(index).compile(dialect=engine.dialect))


def test_erasure_migration_removes_addresses_from_stored_smtp_errors(database_url):
    migrate.downgrade(database_url, "0006")
    engine = make_engine(database_url)
    now = "2026-01-01 00:00:00"
    with engine.begin() as conn:
        case_id = conn.execute(text(
            "INSERT INTO cases (reference, text, text_redacted, attributes, channel, status, needs_triage, "
            "urgency_rank, urgency_score, version, created_at, updated_at) VALUES ('CIV-AAAA-BBBB', 't', 't', '{}', "
            "'web', 'new', true, 0, 0, 1, :now, :now) RETURNING id"), {"now": now}).scalar_one()
        for key, error in (("a", "recipient refused: {'fatou@example.sn': (550, b'no')}"), ("b", "timed out")):
            conn.execute(text(
                "INSERT INTO outbox (case_id, kind, idempotency_key, status, attempts, next_attempt_at, created_at, "
                "last_error) VALUES (:case_id, 'reply', :key, 'dead', 1, :now, :now, :error)"),
                {"case_id": case_id, "key": key, "now": now, "error": error})
    migrate.upgrade(database_url, "head")
    with engine.connect() as conn:
        errors = conn.execute(text("SELECT last_error FROM outbox ORDER BY idempotency_key")).scalars().all()
    engine.dispose()
    assert errors == ["recipient refused (address removed)", "timed out"]


def test_publication_columns_go_down_without_losing_the_queue_order(sqlite_template, tmp_path):
    """Publication (0009) adds columns in place; its downgrade copies the SQLite table and must give the indexes
    their DESC back."""
    import shutil

    path = tmp_path / "down.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    migrate.downgrade(url, "0008")
    engine = make_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ix_cases_queue_order'")).scalar()
        columns = {c["name"] for c in inspect(conn).get_columns("cases")}
    engine.dispose()
    assert "urgency_rank DESC" in stored and "publish_consent" not in columns
