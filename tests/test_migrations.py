"""Migrations go up and down on every backend, and match the models exactly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from civicly import migrate
from civicly.db import make_engine
from civicly.models import SQLModel


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
