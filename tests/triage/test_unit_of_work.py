"""One unit of work: services only flush; a request commits once at its edge, a CLI command in unit_of_work()."""
import ast
from datetime import date
from pathlib import Path

import pytest
from flask import abort
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

import civicly
from civicly.db import get_session, unit_of_work
from civicly.models import Case, Holiday
from civicly.triage import deadlines
from tests.conftest import csrf_token

DAY = date(2031, 7, 14)
PACKAGE = Path(civicly.__file__).parent
# Short transactions on purpose: outbox claims and leases, the worker's grouping batches and its steps.
MAY_COMMIT = {"triage/outbox.py", "triage/groups.py", "triage/worker.py", "triage/background_routing.py",
              "model_store.py"}


def stored(app, model) -> int:
    """Rows of ``model`` seen through a new connection, so only what was committed counts."""
    with Session(app.extensions["civicly.engine"]) as fresh:
        return fresh.execute(select(func.count()).select_from(model)).scalar_one()


def add_holiday() -> None:
    deadlines.add_holiday(get_session(), DAY, "Test day", actor="cli:test")


@pytest.fixture
def routes(app):
    """Views that write through a service, then succeed, refuse or fail."""
    def succeeds():
        add_holiday()
        return "stored"

    def raises():
        add_holiday()
        raise RuntimeError("a bug after the service wrote")

    def refuses():
        add_holiday()
        abort(409)

    for name, view in (("succeeds", succeeds), ("raises", raises), ("refuses", refuses)):
        app.add_url_rule(f"/test-uow/{name}", name, view)
    return app


def test_a_request_that_succeeds_is_committed(routes, client):
    assert client.get("/test-uow/succeeds").status_code == 200
    assert stored(routes, Holiday) == 1


def test_a_view_that_raises_after_a_service_wrote_leaves_nothing(routes, client):
    with pytest.raises(RuntimeError):  # the testing app propagates it: the teardown rolls back
        client.get("/test-uow/raises")
    assert stored(routes, Holiday) == 0


def test_a_500_page_rolls_back_what_the_service_wrote(routes, client):
    routes.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page is rendered
    assert client.get("/test-uow/raises").status_code == 500
    assert stored(routes, Holiday) == 0


def test_a_refusal_below_500_keeps_what_was_written(routes, client):
    """Like a failed login counted on the page that refuses it."""
    assert client.get("/test-uow/refuses").status_code == 409
    assert stored(routes, Holiday) == 1


def test_a_commit_that_fails_is_an_error_response_not_a_success(routes, client):
    routes.config["PROPAGATE_EXCEPTIONS"] = False

    def refuse_to_commit():
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    @routes.before_request
    def _break_the_commit():
        get_session().commit = refuse_to_commit

    response = client.get("/test-uow/succeeds")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "stored" not in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"]  # the replacing page still gets the app's headers
    assert stored(routes, Holiday) == 0


def test_a_submission_whose_commit_fails_gets_its_form_back_and_no_reference(app, client, seeded, monkeypatch):
    page = client.get("/submit").get_data(as_text=True)
    text = "The public tap in Médina has been dry since Monday."

    def refuse_to_commit(_session):
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(Session, "commit", refuse_to_commit)
    response = client.post("/submit", data={"csrf_token": csrf_token(page), "form_token": "uow-1", "text": text})
    monkeypatch.undo()
    assert response.status_code == 503 and "Location" not in response.headers
    assert 'value="uow-1"' in response.get_data(as_text=True)
    assert stored(app, Case) == 0


def test_a_command_unit_of_work_commits_on_success(app):
    with app.app_context(), unit_of_work() as session:
        deadlines.add_holiday(session, DAY, "Test day", actor="cli:test")
    assert stored(app, Holiday) == 1


def test_a_command_unit_of_work_rolls_back_on_error(app):
    with app.app_context(), pytest.raises(RuntimeError):
        with unit_of_work() as session:
            deadlines.add_holiday(session, DAY, "Test day", actor="cli:test")
            session.flush()
            raise RuntimeError("the command failed half-way")
    assert stored(app, Holiday) == 0


def test_outside_a_request_nothing_is_committed_without_a_unit_of_work(app):
    with app.app_context():
        deadlines.add_holiday(get_session(), DAY, "Test day", actor="cli:test")
        get_session().flush()
    assert stored(app, Holiday) == 0


def _commit_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "commit" and not node.args]


def test_no_service_or_view_commits_except_short_transactions_that_say_why():
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = path.relative_to(PACKAGE).as_posix()
        if name == "db.py":  # the edge: the request hook and unit_of_work()
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for lineno in _commit_calls(path):
            found[f"{name}:{lineno}"] = name in MAY_COMMIT and "#" in lines[lineno - 1]
    assert found, "the scan found no commit at all: is it reading the package?"
    assert [where for where, allowed in found.items() if not allowed] == []
