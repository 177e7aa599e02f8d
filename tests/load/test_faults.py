"""Faults under load: a killed worker, a PostgreSQL restart, a corrupt model. Acknowledged means stored, once."""
import os
import signal
import subprocess

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.load.ledger import assert_acknowledged_exactly_once
from tests.load.server import pg_cluster, serve
from tests.load.traffic import CLIENTS, SECONDS, run_load
from tests.ops.conftest import corrupt_artifact, promote_placeholder

pytestmark = pytest.mark.load


def test_killing_a_worker_mid_load_loses_no_acknowledged_submission(postgres_load_url, tmp_path, report):
    killed = []

    def kill_a_worker(fraction: float) -> None:
        if fraction >= (len(killed) + 1) / 3 and len(killed) < 2:  # at a third and at two thirds of the run
            victim = server.workers()[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    with serve(postgres_load_url, tmp_path, workers=4) as server:
        run_id, tally = run_load(server.url, CLIENTS, SECONDS, during=kill_a_worker)
        survivors = server.workers()
    assert len(killed) == 2 and not set(killed) & set(survivors), "the master replaces killed workers"
    assert_acknowledged_exactly_once(postgres_load_url, run_id, tally, report)


@pytest.fixture
def restartable_postgres():
    """The local cluster's pg_ctlcluster arguments; PostgreSQL is running again afterwards, whatever happened."""
    if not (os.environ.get("CI") or os.environ.get("CIVICLY_RESTART_POSTGRES")):
        pytest.skip("restarts the shared PostgreSQL server: runs when CI or CIVICLY_RESTART_POSTGRES=1 is set")
    cluster = pg_cluster()
    try:
        yield cluster
    finally:
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode != 0:
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "start"], check=False)


def test_postgresql_restart_mid_load_answers_503_keeping_the_text_then_recovers(
        postgres_load_url, restartable_postgres, tmp_path, report):
    restarts = []

    def restart_postgres(fraction: float) -> None:
        if fraction >= 0.3 and not restarts:
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *restartable_postgres, "restart"],
                           capture_output=True, timeout=120)
            # pg_ctlcluster may exit 1 after a restart that worked: whether the server is back is what counts
            restarts.append(subprocess.run(["pg_isready", "-h", "127.0.0.1", "-t", "30"],
                                           capture_output=True, text=True))

    with serve(postgres_load_url, tmp_path, workers=4) as server:
        run_id, tally = run_load(server.url, CLIENTS, SECONDS, during=restart_postgres)
        readiness = requests.get(f"{server.url}/readyz", timeout=10).json()
    assert restarts and restarts[0].returncode == 0, restarts and restarts[0].stderr
    assert tally.statuses[503] > 0, "no request fell in the restart window"
    assert readiness["database"] == "ok", "the service reconnected by itself"
    # every 503 was sent again by its citizen and acknowledged once the database was back
    assert_acknowledged_exactly_once(postgres_load_url, run_id, tally, report)


def test_with_a_corrupt_model_artifact_submissions_are_stored_for_manual_triage(sqlite_load_url, tmp_path, report):
    """The active version's artifact no longer matches its checksum: intake goes on, /readyz and `civicly check`
    say why."""
    version = promote_placeholder(tmp_path / "models")
    corrupt_artifact(tmp_path / "models", version)
    with serve(sqlite_load_url, tmp_path, workers=1) as server:
        readiness = requests.get(f"{server.url}/readyz", timeout=10)
        run_id, tally = run_load(server.url, clients=4, seconds=3)
        check = server.civicly("check")
    assert readiness.status_code == 503 and readiness.json()["database"] == "ok"
    assert readiness.json()["model"].startswith(f"model {version} could not be loaded")
    assert check.returncode == 1 and f"FAIL  model: model {version} could not be loaded" in check.stdout
    assert_acknowledged_exactly_once(sqlite_load_url, run_id, tally, report)
    engine = create_engine(sqlite_load_url)
    with engine.connect() as connection:
        routed = connection.execute(text(
            "SELECT count(*) FROM cases WHERE text LIKE :run AND (needs_triage = 0 OR department_id IS NOT NULL)"),
            {"run": f"{run_id} %"}).scalar_one()
        triaged = connection.execute(text(
            "SELECT count(*) FROM events e JOIN cases c ON c.id = e.case_id WHERE c.text LIKE :run "
            "AND e.kind = 'triage' AND e.after LIKE '%model_unavailable%'"), {"run": f"{run_id} %"}).scalar_one()
    engine.dispose()
    assert routed == 0 and triaged == len(tally.acknowledged)
