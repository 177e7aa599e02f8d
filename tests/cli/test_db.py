"""civicly db: migrations (a downgrade asks first, as a restore does), and backup/restore of the SQLite database."""
from sqlmodel import select

from civicly.cli.db import db
from civicly.models import Case, Event
from tests.conftest import file_case


def test_backup_and_restore_bring_back_every_case(runner, seeded, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        result = runner.invoke(db, ["backup", str(tmp_path / "x.sqlite3")])
        assert result.exit_code == 1 and "pg_dump" in result.output
        return
    references = {file_case(seeded, f"Case number {i} about the clinic roof.").reference for i in range(5)}
    target = tmp_path / "backup.sqlite3"
    assert runner.invoke(db, ["backup", str(target)]).exit_code == 0
    for event in seeded.exec(select(Event)).all():
        seeded.connection().exec_driver_sql(f"DELETE FROM events WHERE id = {event.id}")
    for table in ("case_group_members", "case_groups", "outbox", "cases"):  # similar reports are grouped
        seeded.connection().exec_driver_sql(f"DELETE FROM {table}")
    seeded.commit()
    assert seeded.exec(select(Case)).all() == []
    result = runner.invoke(db, ["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    seeded.expire_all()
    assert {c.reference for c in seeded.exec(select(Case)).all()} == references
    assert runner.invoke(db, ["backup", str(target)]).exit_code == 1  # never overwrites


def test_restore_refuses_a_file_that_is_not_a_civicly_database(runner, seeded, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        return
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    result = runner.invoke(db, ["restore", str(junk), "--yes"])
    assert result.exit_code == 1


def version_num(app) -> str:
    with app.extensions["civicly.engine"].connect() as connection:
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()


def test_downgrade_asks_first_as_restore_does(app, runner):
    head = version_num(app)
    refused = runner.invoke(db, ["downgrade"], input="n\n")
    assert refused.exit_code == 1 and "Continue? [y/N]" in refused.output
    assert version_num(app) == head
    done = runner.invoke(db, ["downgrade", "--yes"])
    assert done.exit_code == 0 and "Database downgraded to -1." in done.output
    assert version_num(app) != head
    assert runner.invoke(db, ["upgrade"]).exit_code == 0 and version_num(app) == head
