"""One-click triage: the model's three best ministries as buttons on the case page, each an audited, labelled
decision through the decision service; triage staff land on the triage queue after signing in."""
import re

import pytest
from sqlmodel import select

from tests.conftest import PASSWORD, csrf_token, sign_in

TOP3 = [("SANTE", 0.96), ("EDUCATION", 0.03), ("AGRICULTURE", 0.01)]


@pytest.fixture
def staff(make_user, seeded):
    make_user("awa@sante.gouv.sn", "officer", ["SANTE"])
    make_user("ali@education.gouv.sn", "officer", ["EDUCATION"])
    make_user("tri@gov.sn", "triage", [])


@pytest.fixture
def triage_case(seeded, staff):
    """A case the model was 96 % sure of, still sent to manual triage (its language is not auto-routed yet)."""
    from civicly.classify import Routing
    from civicly.triage.intake import SubmissionInput, submit
    from classifier import Prediction

    verdict = Prediction(department="SANTE", confidence=0.96, auto_routed=False, top3=TOP3, reasons=["médecin"],
                         urgency="medium", urgency_score=0.5, urgency_source="rules", urgency_reasons=[],
                         language="fr", triage_reason="language_not_auto_routed")
    case = submit(seeded, SubmissionInput(text="Il n'y a plus de médecin au centre de santé de Kaolack."),
                  route=lambda _text: Routing("v1", verdict))
    seeded.commit()
    assert case.needs_triage and case.department_id is None
    return case


def _one_click_forms(page: str) -> list[str]:
    section = re.search(r'<section class="one-click".*?</section>', page, re.S)
    return re.findall(r"<form .*?</form>", section.group(0), re.S) if section else []


def _names(seeded) -> dict[str, str]:
    from civicly.models import Department

    return {d.code: d.name("en") for d in seeded.exec(select(Department))}


def test_manual_triage_case_offers_the_top_three_as_buttons_with_the_first_preselected(
        client, seeded, triage_case, login_as):
    login_as("tri@gov.sn")
    page = client.get(f"/officer/cases/{triage_case.reference}").get_data(as_text=True)
    forms = _one_click_forms(page)
    names = _names(seeded)
    assert len(forms) == 3
    for form, (code, share) in zip(forms, [("SANTE", "96%"), ("EDUCATION", "3%"), ("AGRICULTURE", "1%")],
                                   strict=True):
        assert 'name="csrf_token"' in form and 'value="reassign"' in form
        assert f'name="department" value="{code}"' in form
        assert f"Send to {names[code]} ({share})" in form.replace("&nbsp;", " ").replace("\xa0", " ")
    select_html = re.search(r'<select[^>]*name="department".*?</select>', page, re.S).group(0)
    assert re.search(r'<option selected value="SANTE"|<option value="SANTE" selected', select_html)


def test_one_click_routes_the_case_with_an_event_and_a_label(client, seeded, triage_case, login_as):
    from civicly.models import Case, Event, Label

    login_as("tri@gov.sn")
    page = client.get(f"/officer/cases/{triage_case.reference}").get_data(as_text=True)
    response = client.post(f"/officer/cases/{triage_case.reference}/decide", data={
        "csrf_token": csrf_token(page), "version": str(triage_case.version), "action": "reassign",
        "reason": "Chosen among the model's suggestions", "department": "SANTE"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/officer/triage")  # the next one
    seeded.expire_all()
    case = seeded.get(Case, triage_case.id)
    assert not case.needs_triage and case.department_id is not None
    event = seeded.exec(select(Event).where(Event.case_id == case.id, Event.kind == "reassigned")).one()
    assert event.actor == "tri@gov.sn" and event.after["department"] == "SANTE"
    label = seeded.exec(select(Label).where(Label.case_id == case.id)).one()
    assert (label.department_code, label.kind, label.predicted_department) == ("SANTE", "confirm", "SANTE")
    # Now routed to Santé, its officer sees the choice kept as "Keep with", the others as "Send to".
    client.post("/officer/logout", data={"csrf_token": csrf_token(client.get("/officer/queue").get_data(as_text=True))})
    login_as("awa@sante.gouv.sn")
    forms = _one_click_forms(client.get(f"/officer/cases/{case.reference}").get_data(as_text=True))
    assert 'value="confirm"' in forms[0] and "Keep with" in forms[0] and 'value="reassign"' in forms[1]


def test_one_click_on_a_stale_page_gets_the_conflict_message(client, seeded, triage_case, login_as):
    from civicly.models import Label

    login_as("tri@gov.sn")
    page = client.get(f"/officer/cases/{triage_case.reference}").get_data(as_text=True)
    stale = {"csrf_token": csrf_token(page), "version": str(triage_case.version - 1), "action": "reassign",
             "reason": "Chosen among the model's suggestions", "department": "EDUCATION"}
    response = client.post(f"/officer/cases/{triage_case.reference}/decide", data=stale)
    assert response.status_code == 409 and "This case changed since you opened it" in response.get_data(as_text=True)
    assert seeded.exec(select(Label)).all() == []


def test_an_officer_of_another_ministry_cannot_route_it(client, seeded, triage_case, login_as):
    from civicly.models import Case

    login_as("ali@education.gouv.sn")
    assert client.get(f"/officer/cases/{triage_case.reference}").status_code == 404
    token = csrf_token(client.get("/officer/queue").get_data(as_text=True))
    response = client.post(f"/officer/cases/{triage_case.reference}/decide", data={
        "csrf_token": token, "version": str(triage_case.version), "action": "reassign",
        "reason": "Chosen among the model's suggestions", "department": "EDUCATION"})
    assert response.status_code == 404
    seeded.expire_all()
    assert seeded.get(Case, triage_case.id).needs_triage


def test_one_click_labels_are_translated(client, seeded, triage_case, login_as):
    login_as("tri@gov.sn")
    page = client.get(f"/officer/cases/{triage_case.reference}", headers={"Accept-Language": "fr"})
    forms = _one_click_forms(page.get_data(as_text=True))
    assert "Envoyer à" in forms[0] and "96" in forms[0]


@pytest.mark.parametrize(("email", "home"),
                         [("tri@gov.sn", "/officer/triage"), ("awa@sante.gouv.sn", "/officer/queue")])
def test_staff_land_on_their_own_queue_after_sign_in(app, client, staff, email, home):
    response = sign_in(app, client, email)
    assert response.status_code == 303 and response.headers["Location"].endswith(home)


def test_a_foreign_next_is_still_refused_for_triage_staff(app, client, staff):
    page = client.get("/officer/login?next=//evil.example/x").get_data(as_text=True)
    response = client.post("/officer/login?next=//evil.example/x",
                           data={"csrf_token": csrf_token(page), "email": "tri@gov.sn", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"].endswith("/officer/triage")
