"""CIVICLY_DATABASE_REPLICA_URL: the dashboard, exports and Open311 GET read the replica; the queue, sign-in and every
write stay on the primary. A second real database stands for the replica, holding what the primary does not, so
each read path shows which one it read."""
from __future__ import annotations

import csv
import io
import shutil

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from civicly import create_app, migrate
from civicly.db import get_read_session, get_session, make_engine
from civicly.models import AdminAction, Department
from civicly.triage.departments import seed_from_file
from tests.conftest import MODEL_SIGNING_KEY, _truncate_postgres, file_case

ONLY_ON_REPLICA = "Only the replica holds this report: the Kaolack market drains overflow."
REPLICA_MINISTRY = "PORTS"


@pytest.fixture(scope="session")
def postgres_replica(postgres_url) -> str:
    """A second database on the test server, migrated once, standing for the primary's replica."""
    url = make_url(postgres_url).set(database=f"{make_url(postgres_url).database}_replica")
    admin = make_engine(make_url(postgres_url).set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    migrate.upgrade(url.render_as_string(hide_password=False))
    return url.render_as_string(hide_password=False)


@pytest.fixture
def replica_url(database_url, request, tmp_path) -> str:
    if database_url.startswith("sqlite"):
        path = tmp_path / "replica.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_replica")
    _truncate_postgres(url)
    return url


@pytest.fixture
def app(database_url, replica_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                      "DATABASE_REPLICA_URL": replica_url, "MODEL_DIR": str(tmp_path / "models"),
                      "MODEL_SIGNING_KEY": MODEL_SIGNING_KEY, "RATELIMIT_ENABLED": False, "DEFAULT_LOCALE": "en"})
    yield app
    app.extensions["civicly.engine"].dispose()
    app.extensions["civicly.replica_engine"].dispose()


@pytest.fixture
def replica(app, replica_url):
    """The replica's content: the demo ministries, one more, and a case the primary does not have."""
    engine = make_engine(replica_url)
    with Session(engine, expire_on_commit=False) as session:
        seed_from_file(session)
        session.add(Department(code=REPLICA_MINISTRY, name_fr="Ports", name_en="Ports"))
        session.commit()
        case = file_case(session, ONLY_ON_REPLICA, department="SANTE")
    engine.dispose()
    return case


def test_dashboard_and_exports_read_the_replica_and_audit_on_the_primary(client, make_user, login_as, replica,
                                                                          session):
    make_user("admin@gouv.sn", "admin")
    login_as("admin@gouv.sn")
    dashboard = client.get("/admin/dashboard")
    assert dashboard.status_code == 200 and f'value="{REPLICA_MINISTRY}"' in dashboard.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/exports/cases").get_data(as_text=True))))
    assert [row["reference"] for row in rows] == [replica.reference]
    audited = session.exec(select(AdminAction).where(AdminAction.action == "export.cases")).all()
    assert [entry.details["rows"] for entry in audited] == [1]


def test_the_queue_reads_the_primary(client, make_user, login_as, replica):
    make_user("admin@gouv.sn", "admin")
    login_as("admin@gouv.sn")
    queue = client.get("/officer/queue?status=all")
    assert queue.status_code == 200 and replica.reference not in queue.get_data(as_text=True)


def test_open311_services_are_read_from_the_replica(client, replica, seeded):
    codes = [service["service_code"] for service in client.get("/open311/v2/services.json").json]
    assert REPLICA_MINISTRY in codes


def test_without_a_replica_reads_use_the_primary_session(database_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                      "MODEL_DIR": str(tmp_path / "models"), "MODEL_SIGNING_KEY": MODEL_SIGNING_KEY})
    with app.test_request_context("/"):
        assert get_read_session() is get_session()
    app.extensions["civicly.engine"].dispose()
