"""The dashboard: real SVG charts with their numbers as tables, scoped by role; downloads of the same cases."""
import csv
import io
import json
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from civicly.models import SatisfactionAnswer
from civicly.models.timestamps import utcnow
from civicly.triage import deadlines, publication, satisfaction
from civicly.triage.dashboard import Period, Scope, build
from civicly.triage.decisions import Decision, decide
from civicly.triage.permissions import Actor
from tests.conftest import file_case


@pytest.fixture
def history(seeded, make_user):
    """A few weeks of cases in two ministries, some answered, closed and rated."""
    deadlines.seed_demo_levels(seeded)
    sante = Actor.of(seeded, make_user("awa@sante.gouv.sn", "officer", ["SANTE"]))
    cases = []
    for week in range(4):
        for i in range(3):
            received = utcnow() - timedelta(weeks=week, days=1, hours=i)
            lack = ["nurses", "drugs", "power"][i]
            cases.append(file_case(seeded, f"Health post {week}-{i} in district {week * 7 + i} lacks {lack}",
                                   received_at=received, email=f"c{week}{i}@example.sn"))
    file_case(seeded, "The school in Thies has no teacher of mathematics this year", department="EDUCATION")
    for case in cases[:4]:
        decide(seeded, sante, case.reference, Decision("reply", 1, message="We are sending staff."))
        decide(seeded, sante, case.reference, Decision("status", 1, status="resolved"))
    satisfaction.answer(seeded, cases[0].reference, True)
    satisfaction.answer(seeded, cases[1].reference, False, "Nobody came. Call me on +221 77 123 45 67")
    seeded.commit()
    return cases


def test_figures_for_all_ministries(seeded, history):
    board = build(seeded, Scope(None), Period.last_weeks(6))
    assert board.total_cases == 13
    assert sum(board.submissions["SANTE"]) == 12 and sum(board.submissions["EDUCATION"]) == 1
    assert board.routing["sender"] == 13
    # The citizen who answered "not solved" with a reason reopened their case.
    assert sum(sum(v) for v in board.backlog.values()) == board.open_cases == 10
    assert board.first_response_hours["SANTE"][1] == 4
    assert (board.satisfied, board.unsatisfied, board.reopened) == (1, 1, 1)
    sante = next(c for c in board.compliance if c.ministry == "SANTE")
    assert sante.on_time + sante.late == 3  # of the 4 answered and closed, one is open again


def test_an_officer_sees_only_their_ministries(seeded, history, client, make_user, login_as):
    make_user("ali@education.gouv.sn", "officer", ["EDUCATION"])
    login_as("ali@education.gouv.sn")
    page = client.get("/admin/dashboard").get_data(as_text=True)
    assert "SANTE" not in page.split("<h2", 1)[1] and "EDUCATION" in page
    assert client.get("/admin/exports/cases?ministry=SANTE").status_code == 404
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/exports/cases").get_data(as_text=True))))
    assert [r["ministry"] for r in rows] == ["EDUCATION"]


def test_dashboard_draws_svg_charts_without_inline_script_or_style(seeded, history, client, make_user, login_as):
    make_user("root@gov.sn", "admin", [])
    login_as("root@gov.sn")
    response = client.get("/admin/dashboard")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<svg") >= 6 and page.count("<table") >= 6
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # scripts only from files
    assert " style=" not in page and "<style" not in page
    assert re.search(r'<svg[^>]+role="img"[^>]+aria-labelledby=', page)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_who_may_open_the_dashboard(seeded, client, make_user, login_as):
    assert client.get("/admin/dashboard").status_code == 302  # anonymous: sign in first
    make_user("t@gov.sn", "triage", [])
    login_as("t@gov.sn")
    assert client.get("/admin/dashboard").status_code == 404
    assert client.get("/admin/outbox").status_code == 404


def test_open_data_has_no_email_or_phone(seeded, history, client, make_user, login_as):
    case = file_case(seeded, "Write to fatou.diop@example.sn or call +221 77 123 45 67 about the clinic in Mbour",
                     email="fatou.diop@example.sn", phone="+221 77 123 45 67", publish_consent=True,
                     place="Near 12 rue Carnot, tel 77 123 45 67")
    root = Actor.of(seeded, make_user("root@gov.sn", "admin", []))
    publication.approve(seeded, root, case.reference, case.text)
    seeded.commit()
    login_as("root@gov.sn")
    for fmt in ("csv", "jsonl"):
        body = client.get(f"/admin/exports/open-data?format={fmt}").get_data(as_text=True)
        assert "@" not in body and "77 123 45 67" not in body and "123 45 67" not in body
        assert "[email]" in body and "[phone]" in body
    first = json.loads(client.get("/admin/exports/open-data?format=jsonl").get_data(as_text=True).splitlines()[0])
    assert not {"contact_name", "contact_email", "contact_phone", "device_id", "account_id"} & set(first)


def test_satisfaction_is_asked_after_closure_and_the_latest_answer_counts(seeded, history, client):
    from tests.conftest import csrf_token

    closed = history[2]
    page = client.get(f"/track/{closed.reference}").get_data(as_text=True)
    assert "Is it solved?" in page and "You may change it" not in page
    token = csrf_token(page)
    response = client.post(f"/track/{closed.reference}/satisfaction",
                           data={"csrf_token": token, "answered": "yes", "comment": "Thanks"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Is it solved?" not in page and "Thank you for your answer" in page
    # Someone else who learned the reference answers "no": the citizen is not locked out, and answers again.
    assert client.post(f"/track/{closed.reference}/satisfaction",
                       data={"csrf_token": token, "answered": "no"}).status_code == 303
    assert "You may change it" in client.get(f"/track/{closed.reference}").get_data(as_text=True)
    assert client.post(f"/track/{closed.reference}/satisfaction",
                       data={"csrf_token": token, "answered": "yes", "comment": "Thanks again"}).status_code == 303
    [row] = seeded.exec(select(SatisfactionAnswer).where(SatisfactionAnswer.case_id == closed.id)
                        .execution_options(populate_existing=True)).all()
    assert (row.answered, row.comment) == (True, "Thanks again") and row.revised_at is not None
    still_open = history[8]
    assert "Is it solved?" not in client.get(f"/track/{still_open.reference}").get_data(as_text=True)
    assert client.post(f"/track/{still_open.reference}/satisfaction",
                       data={"csrf_token": token, "answered": "yes"}).status_code == 409
    assert client.post(f"/track/{closed.reference}/satisfaction", data={"answered": "yes"}).status_code == 400


def test_the_survey_closes_after_its_window(seeded, history):
    closed = history[2]
    closure = satisfaction.closed_at(seeded, closed)
    satisfaction.answer(seeded, closed.reference, True, now=closure + timedelta(days=1))
    late = closure + satisfaction.SURVEY_WINDOW + timedelta(minutes=1)
    with pytest.raises(satisfaction.NotAsked):
        satisfaction.answer(seeded, closed.reference, False, now=late)
    with pytest.raises(satisfaction.NotAsked):
        satisfaction.answer(seeded, history[8].reference, True)  # still open


def test_auto_routing_share_and_accuracy_by_language_and_version(seeded, make_user, client, login_as):
    from civicly.models import Prediction

    sante = Actor.of(seeded, make_user("awa@sante.gouv.sn", "officer", ["SANTE"]))
    predicted = [("fr", "v1", True), ("fr", "v1", True), ("fr", "v1", False), ("en", "v2", True)]
    cases = [file_case(seeded, f"Le centre de santé numéro {i} n'a plus de médecin") for i in range(len(predicted))]
    for case, (language, version, auto) in zip(cases, predicted, strict=True):
        seeded.add(Prediction(case_id=case.id, model_version=version, department_code="SANTE", confidence=0.97,
                              auto_routed=auto, language=language))
    seeded.commit()
    decide(seeded, sante, cases[0].reference, Decision("confirm", 1))  # kept in the model's ministry
    decide(seeded, sante, cases[1].reference, Decision("reassign", 1, department_code="EDUCATION",
                                                       reason="A school's health post"))
    seeded.commit()
    board = build(seeded, Scope(None), Period.last_weeks(4))
    assert [(a.language, a.version, a.cases, a.auto_routed, a.reviewed, a.kept) for a in board.auto_routing] == [
        ("en", "v2", 1, 1, 0, 0), ("fr", "v1", 3, 2, 2, 1)]
    assert board.auto_routing[1].accuracy == 0.5 and board.auto_routing[0].accuracy is None
    make_user("root@gov.sn", "admin", [])
    login_as("root@gov.sn")
    page = client.get("/admin/dashboard").get_data(as_text=True)
    assert "Routed by the model itself, by language and model version" in page and "fr · v1" in page
