"""The database is unreachable: a clear 503 with Retry-After, and the citizen's form comes back as typed."""
import html

import pytest
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from civicly.error_pages import is_database_outage
from civicly.triage import intake
from tests.conftest import csrf_token

TEXT = "Les égouts débordent rue 12 à Pikine depuis trois jours."


def test_a_submission_during_an_outage_gets_the_form_back_with_the_text(database_down_app):
    client = database_down_app.test_client()
    page = client.get("/submit").get_data(as_text=True)
    response = client.post("/submit", data={"csrf_token": csrf_token(page), "form_token": "outage-1", "text": TEXT,
                                            "place": "Pikine", "email": "awa@example.sn"})
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "Nothing was saved yet" in body
    assert html.escape(TEXT, quote=False) in body and 'value="Pikine"' in body and 'value="awa@example.sn"' in body
    assert 'value="outage-1"' in body  # the same form token: sending it again cannot store it twice
    assert csrf_token(body)  # a fresh token, so the page can be sent again as it is


def test_other_pages_during_an_outage_get_a_503_page(database_down_app):
    response = database_down_app.test_client().get("/track/CIV-AAAA-BBBB")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "Service temporarily unavailable" in response.get_data(as_text=True)


def test_a_bug_in_a_query_is_not_disguised_as_an_outage(client, seeded, monkeypatch):
    def broken(*_args, **_kwargs):
        raise ProgrammingError("SELECT nonsense", {}, Exception("syntax error"))

    monkeypatch.setattr(intake, "submit", broken)
    page = client.get("/submit").get_data(as_text=True)
    with pytest.raises(ProgrammingError):  # the testing app propagates what would be a 500 in production
        client.post("/submit", data={"csrf_token": csrf_token(page), "text": TEXT})


def test_which_database_errors_count_as_an_outage():
    lost = DBAPIError("SELECT 1", {}, Exception("server closed the connection"), connection_invalidated=True)
    assert is_database_outage(OperationalError("connect", {}, Exception("connection refused")))
    assert is_database_outage(PoolTimeout("QueuePool limit reached"))
    assert is_database_outage(lost)
    assert not is_database_outage(ProgrammingError("SELECT nonsense", {}, Exception("syntax error")))
