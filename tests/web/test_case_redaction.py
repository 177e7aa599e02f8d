"""Who reads a case's text as written: the officers of its ministry. Triage staff and admins read it redacted."""
import pytest

from civicly.models import Event, Prediction
from tests.conftest import file_case

TEXT = "Je m'appelle Fatou Diop, appelez le 77 123 45 67: la borne-fontaine de la rue Carnot fuit."
PLACE = "12 rue Carnot, Kaolack"
SECRETS = ("Fatou Diop", "77 123 45 67", "rue Carnot")
HIDDEN_NOTE = "Names, numbers and addresses are hidden"


@pytest.fixture
def staff(make_user):
    make_user("awa@sante.gouv.sn", "officer", ["SANTE"])
    make_user("tri@gov.sn", "triage", [])
    make_user("root@gov.sn", "admin", [])
    make_user("chief@sante.gouv.sn", "admin", ["SANTE"])


@pytest.fixture
def routed(seeded, staff):
    case = file_case(seeded, TEXT, place=PLACE)
    seeded.add(Event(case_id=case.id, kind="note", actor="awa@sante.gouv.sn",
                     message="Madame Diop rappelée au 77 123 45 67."))
    seeded.commit()
    return case


@pytest.fixture
def unrouted(seeded, staff):
    return file_case(seeded, TEXT, department="", place=PLACE)


def _case_page(client, case) -> str:
    response = client.get(f"/officer/cases/{case.reference}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("email", ["awa@sante.gouv.sn", "chief@sante.gouv.sn"])
def test_officers_of_the_cases_ministry_read_the_text_as_written(client, routed, login_as, email):
    login_as(email)
    page = _case_page(client, routed)
    assert all(secret in page for secret in SECRETS)
    assert PLACE in page and "Madame Diop" in page
    assert HIDDEN_NOTE not in page


def test_an_admin_outside_the_ministry_reads_text_place_and_notes_redacted(client, routed, login_as):
    login_as("root@gov.sn")
    page = _case_page(client, routed)
    assert not any(secret in page for secret in SECRETS)
    assert "Je m&#39;appelle [name], appelez le [phone]" in page
    assert "[address], Kaolack" in page and "Madame [name] rappelée au [phone]." in page
    assert HIDDEN_NOTE in page


def test_triage_staff_read_an_unrouted_case_redacted(client, unrouted, login_as):
    login_as("tri@gov.sn")
    page = _case_page(client, unrouted)
    assert not any(secret in page for secret in SECRETS)
    assert "la borne-fontaine de la [address] fuit" in page
    assert HIDDEN_NOTE in page


def test_the_triage_queue_shows_redacted_previews(client, unrouted, login_as):
    login_as("tri@gov.sn")
    queue = client.get("/officer/triage").get_data(as_text=True)
    assert unrouted.reference in queue
    assert not any(secret in queue for secret in SECRETS)


def test_once_routed_the_ministry_reads_what_triage_staff_could_not(client, seeded, unrouted, login_as):
    from civicly.triage.departments import department_by_code

    unrouted.department_id = department_by_code(seeded, "SANTE").id
    unrouted.needs_triage = False
    seeded.commit()
    login_as("awa@sante.gouv.sn")
    assert "Fatou Diop" in _case_page(client, unrouted)


def test_the_models_words_outside_the_redacted_text_are_not_shown_to_other_staff(client, seeded, routed, login_as):
    seeded.add(Prediction(case_id=routed.id, model_version="v1", department_code="SANTE", confidence=0.9,
                          reasons=[["carnot", 0.4], ["fontaine", 0.3], "fuit"]))
    seeded.commit()
    login_as("root@gov.sn")
    page = _case_page(client, routed)
    assert "<mark>fontaine</mark>" in page and "<mark>fuit</mark>" in page
    assert "carnot" not in page.lower()
