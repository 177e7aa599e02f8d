"""Many citizens at once against gunicorn as deployed: every acknowledged submission stored exactly once, no 5xx."""
import pytest
from sqlalchemy import create_engine, text

from tests.load.ledger import assert_acknowledged_exactly_once
from tests.load.server import serve
from tests.load.traffic import CLIENTS, SECONDS, run_load

pytestmark = pytest.mark.load


def test_postgresql_with_four_workers_stores_every_acknowledged_submission_once(postgres_load_url, tmp_path, report):
    with serve(postgres_load_url, tmp_path, workers=4) as server:
        run_id, tally = run_load(server.url, CLIENTS, SECONDS)
    assert_acknowledged_exactly_once(postgres_load_url, run_id, tally, report)


def test_sqlite_with_its_supported_workers_stores_every_acknowledged_submission_once(sqlite_load_url, tmp_path, report):
    """SQLite in WAL mode on one host's local disk: two workers, allowed explicitly (docs/production.md)."""
    with serve(sqlite_load_url, tmp_path, workers=2, CIVICLY_ALLOW_SQLITE_WORKERS="1") as server:
        run_id, tally = run_load(server.url, CLIENTS, SECONDS)
    assert_acknowledged_exactly_once(sqlite_load_url, run_id, tally, report)


def test_routing_in_the_worker_stores_every_submission_once_and_the_worker_routes_them_all(
        postgres_load_url, tmp_path, report):
    """CIVICLY_ROUTING=worker: the surge is stored by bare inserts; then ``civicly worker`` leaves no case waiting."""
    with serve(postgres_load_url, tmp_path, workers=2, CIVICLY_ROUTING="worker") as server:
        run_id, tally = run_load(server.url, CLIENTS, SECONDS)
        assert_acknowledged_exactly_once(postgres_load_url, run_id, tally, report)
        done = server.civicly("worker", "--once")
        assert done.returncode == 0, done.stderr[-2000:]
    engine = create_engine(postgres_load_url)
    with engine.connect() as connection:
        waiting, unrouted = connection.execute(text(
            "SELECT (SELECT count(*) FROM outbox WHERE kind = 'routing'), count(*) FROM cases c "
            "WHERE c.text LIKE :run AND NOT EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.id "
            "AND e.kind IN ('routed', 'triage'))"), {"run": f"{run_id} %"}).one()
    engine.dispose()
    assert (waiting, unrouted) == (0, 0)
