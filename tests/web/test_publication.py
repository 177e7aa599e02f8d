"""Publication over HTTP: the citizen's consent on the form (unticked by default), an officer's approval, edit and
withdrawal on the case page, each an Event; officers of another ministry cannot publish."""
import re

import pytest
from sqlmodel import select

from civicly.models import Case, Event
from tests.conftest import csrf_token, file_case

TEXT = "The clinic is out of malaria tests. Call Fatou on +221 77 123 45 67."


def submit_form(client, **fields):
    page = client.get("/submit").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "text": TEXT, "form_token": "f" * 32, **fields}
    return client.post("/submit", data=data)


def stored(session, response) -> Case:
    reference = response.headers["Location"].split("/track/")[1].split("?")[0]
    return session.exec(select(Case).where(Case.reference == reference)).one()


def test_the_consent_box_is_unticked_labelled_and_explained(client):
    page = client.get("/submit").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="publish_consent"[^>]*>', page).group(0)
    assert 'type="checkbox"' in box and "checked" not in box
    assert 'aria-describedby="publish_consent-hint"' in box
    assert '<label for="publish_consent">' in page and 'id="publish_consent-hint"' in page


@pytest.mark.parametrize("lang, words", [("fr", "publié"), ("ar", "نشر"), ("sw", "chapishwe")])
def test_the_consent_box_is_translated(client, lang, words):
    page = client.get("/submit", headers={"Accept-Language": lang}).get_data(as_text=True)
    label = re.search(r'<label for="publish_consent">([^<]*)</label>', page).group(1)
    assert words in label


def test_without_ticking_the_box_nothing_may_be_published(client, seeded):
    assert stored(seeded, submit_form(client)).publish_consent is False


def test_ticking_the_box_records_the_consent(client, seeded):
    case = stored(seeded, submit_form(client, publish_consent="y"))
    assert case.publish_consent is True and case.published_at is None and case.public_id is None


def test_an_error_keeps_the_typed_text_and_the_consent(client, seeded):
    response = submit_form(client, text="short", place="Médina", publish_consent="y")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="Médina"' in page and "short</textarea>" in page
    assert "checked" in re.search(r'<input[^>]*name="publish_consent"[^>]*>', page).group(0)


@pytest.fixture
def consented(make_user, seeded):
    make_user("awa@sante.gouv.sn", "officer", ["SANTE"])
    make_user("ali@education.gouv.sn", "officer", ["EDUCATION"])
    make_user("root@gov.sn", "admin", [])
    return file_case(seeded, TEXT, name="Fatou Sow", email="fatou@example.sn", publish_consent=True)


def publish(client, reference, text):
    page = client.get(f"/officer/cases/{reference}").get_data(as_text=True)
    return client.post(f"/officer/cases/{reference}/publish",
                       data={"csrf_token": csrf_token(page), "public_text": text})


def events(session, case):
    return [(e.kind, e.actor) for e in session.exec(select(Event).where(Event.case_id == case.id,
                                                                        Event.kind.in_(("published", "unpublished")))
                                                    .order_by(Event.id))]


def test_an_officer_of_the_ministry_approves_edits_and_withdraws_publication(client, seeded, consented, login_as):
    login_as("awa@sante.gouv.sn")
    page = client.get(f"/officer/cases/{consented.reference}").get_data(as_text=True)
    assert "Approve publication" in page and "[phone]" in page  # proposed: the text as redacted at intake
    assert publish(client, consented.reference, "No malaria tests at the clinic. Fatou: +221 77 123 45 67"
                   ).status_code == 303
    case = seeded.get(Case, consented.id, populate_existing=True)
    assert case.published_at and case.published_by == "awa@sante.gouv.sn" and case.public_id.startswith("P-")
    assert case.public_text == "No malaria tests at the clinic. Fatou: [phone]"  # redacted again
    assert publish(client, consented.reference, "No malaria tests at the clinic.").status_code == 303
    page = client.get(f"/officer/cases/{consented.reference}").get_data(as_text=True)
    assert f"Published as {case.public_id}" in page and "Withdraw from publication" in page
    response = client.post(f"/officer/cases/{consented.reference}/unpublish", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    case = seeded.get(Case, consented.id, populate_existing=True)
    assert case.published_at is None and case.public_id  # kept, should it be approved again
    assert events(seeded, case) == [("published", "awa@sante.gouv.sn"), ("published", "awa@sante.gouv.sn"),
                                    ("unpublished", "awa@sante.gouv.sn")]


def test_an_admin_may_approve(client, seeded, consented, login_as):
    login_as("root@gov.sn")
    assert publish(client, consented.reference, "No malaria tests at the clinic.").status_code == 303
    assert seeded.get(Case, consented.id, populate_existing=True).published_by == "root@gov.sn"


def test_an_officer_of_another_ministry_cannot_approve(client, seeded, consented, login_as):
    login_as("ali@education.gouv.sn")
    token = csrf_token(client.get("/submit").get_data(as_text=True))  # a valid token of this session
    for action in ("publish", "unpublish"):
        response = client.post(f"/officer/cases/{consented.reference}/{action}",
                               data={"csrf_token": token, "public_text": "Published by a stranger"})
        assert response.status_code in (400, 404)
    assert seeded.get(Case, consented.id, populate_existing=True).published_at is None
    assert events(seeded, consented) == []


def test_a_case_without_consent_cannot_be_approved(client, seeded, consented, login_as):
    refused = file_case(seeded, "The clinic has no water since Monday.")
    login_as("awa@sante.gouv.sn")
    page = client.get(f"/officer/cases/{refused.reference}").get_data(as_text=True)
    assert "did not agree to publication" in page and "Approve publication" not in page
    response = client.post(f"/officer/cases/{refused.reference}/publish",
                           data={"csrf_token": csrf_token(page), "public_text": "Anything"})
    assert response.status_code == 400 and "did not consent" in response.get_data(as_text=True)
    assert seeded.get(Case, refused.id, populate_existing=True).published_at is None


def test_publication_needs_the_csrf_token(client, seeded, consented, login_as):
    login_as("awa@sante.gouv.sn")
    response = client.post(f"/officer/cases/{consented.reference}/publish", data={"public_text": "x" * 20})
    assert response.status_code == 400
    assert seeded.get(Case, consented.id, populate_existing=True).published_at is None


@pytest.mark.parametrize("query", ["page=2&_method=POST", "_method=POST", "page=2&_anchor=x&_external=1",
                                   "page=2&status=all&_scheme=javascript"])
def test_the_queue_ignores_url_building_names_in_its_query(client, seeded, consented, login_as, query):
    login_as("awa@sante.gouv.sn")
    for queue in ("/officer/queue", "/officer/triage"):
        response = client.get(f"{queue}?{query}")
        assert response.status_code in (200, 404)
        links = re.findall(r'href="(/officer/[^"]*page=[^"]*)"', response.get_data(as_text=True))
        assert not [link for link in links if "_" in link.split("?")[1]], links
