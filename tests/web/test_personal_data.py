"""Export and erasure from the case page: the case's ministry and admins only, POST with CSRF, erasure confirmed;
contact details on request only, for the case's ministry."""
import pytest

from civicly.models import Case
from civicly.triage import admin_audit
from tests.conftest import csrf_token, file_case


@pytest.fixture
def people(make_user, seeded):
    make_user("awa@sante.gouv.sn", "officer", ["SANTE"])
    make_user("ali@education.gouv.sn", "officer", ["EDUCATION"])
    make_user("tri@gov.sn", "triage", [])
    make_user("root@gov.sn", "admin", [])
    routed = file_case(seeded, "The clinic is out of malaria tests.", name="Fatou Sow", email="fatou@example.sn")
    unrouted = file_case(seeded, "Something is wrong with the road near the market.", department="",
                         email="moussa@example.sn")
    return routed, unrouted


def token(client) -> str:
    return csrf_token(client.get("/officer/queue").get_data(as_text=True))


def actions(client, reference):
    """Status codes of: confirmation page, erase, export, show contact."""
    data = {"csrf_token": token(client), "confirm": "y"}
    return (client.get(f"/officer/cases/{reference}/erase").status_code,
            client.post(f"/officer/cases/{reference}/export", data=data).status_code,
            client.post(f"/officer/cases/{reference}/contact", data=data).status_code,
            client.post(f"/officer/cases/{reference}/erase", data=data).status_code)


def test_a_triage_officer_who_sees_a_case_without_being_of_its_ministry_gets_403(client, people, login_as, seeded):
    _routed, unrouted = people
    login_as("tri@gov.sn")
    page = client.get(f"/officer/cases/{unrouted.reference}").get_data(as_text=True)
    assert "moussa@example.sn" not in page and "Erase their data" not in page and "Show contact" not in page
    assert actions(client, unrouted.reference) == (403, 403, 403, 403)
    assert seeded.get(Case, unrouted.id).erased_at is None
    assert not [e for e in admin_audit.entries(seeded) if e.action.startswith(("case.", "contact."))]


def test_an_officer_of_another_ministry_does_not_learn_the_case_exists(client, people, login_as, seeded):
    routed, _unrouted = people
    login_as("ali@education.gouv.sn")
    assert actions(client, routed.reference) == (404, 404, 404, 404)
    assert seeded.get(Case, routed.id).erased_at is None


def test_an_admin_exports_and_erases_but_does_not_see_contact_details(client, people, login_as, seeded):
    routed, _unrouted = people
    login_as("root@gov.sn")
    page = client.get(f"/officer/cases/{routed.reference}").get_data(as_text=True)
    assert "Erase their data" in page and "Show contact details" not in page
    assert actions(client, routed.reference) == (200, 200, 403, 303)
    seeded.expire_all()
    assert seeded.get(Case, routed.id).erased_at is not None
    assert [e.action for e in admin_audit.entries(seeded, action="case.")] == ["case.erase", "case.export"]


def test_the_case_officer_erases_only_after_confirming(client, people, login_as, seeded):
    routed, _unrouted = people
    login_as("awa@sante.gouv.sn")
    confirm = client.get(f"/officer/cases/{routed.reference}/erase").get_data(as_text=True)
    refused = client.post(f"/officer/cases/{routed.reference}/erase", data={"csrf_token": csrf_token(confirm)})
    assert refused.status_code == 400 and "Tick the box" in refused.get_data(as_text=True)
    without_token = client.post(f"/officer/cases/{routed.reference}/erase", data={"confirm": "y"})
    assert without_token.status_code == 400
    seeded.expire_all()
    assert seeded.get(Case, routed.id).erased_at is None
    done = client.post(f"/officer/cases/{routed.reference}/erase",
                       data={"csrf_token": csrf_token(confirm), "confirm": "y"}, follow_redirects=True)
    assert "personal data was erased" in done.get_data(as_text=True)
    seeded.expire_all()
    assert seeded.get(Case, routed.id).contact_email is None
