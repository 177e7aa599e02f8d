"""Officer pages over HTTP: sign-in, role isolation on every route, decisions with CSRF and conflicts."""
import re

import pytest

from tests.conftest import PASSWORD, csrf_token, file_case

OFFICER_PAGES = ["/officer/", "/officer/queue", "/officer/triage", "/officer/cases/{ref}"]


@pytest.fixture
def two_ministries(make_user, seeded):
    make_user("awa@sante.gouv.sn", "officer", ["SANTE"])
    make_user("ali@education.gouv.sn", "officer", ["EDUCATION"])
    make_user("tri@gov.sn", "triage", [])
    make_user("root@gov.sn", "admin", [])
    return file_case(seeded, "The clinic is out of malaria tests.", name="Fatou Sow", email="fatou@example.sn")


@pytest.mark.parametrize("path", OFFICER_PAGES)
def test_anonymous_users_are_sent_to_login(client, two_ministries, path):
    response = client.get(path.format(ref=two_ministries.reference))
    assert response.status_code == 302 and "/officer/login" in response.headers["Location"]


def test_anonymous_decision_post_is_refused(client, two_ministries):
    response = client.post(f"/officer/cases/{two_ministries.reference}/decide", data={"action": "confirm"})
    assert response.status_code in (302, 400)
    assert two_ministries.status == "new"


def test_login_failure_does_not_say_which_part_was_wrong(client, two_ministries):
    page = client.get("/officer/login").get_data(as_text=True)
    wrong_password = client.post("/officer/login", data={"csrf_token": csrf_token(page), "email": "awa@sante.gouv.sn",
                                                         "password": "nope nope nope"})
    wrong_email = client.post("/officer/login", data={"csrf_token": csrf_token(page), "email": "who@gov.sn",
                                                      "password": PASSWORD})
    assert wrong_password.status_code == wrong_email.status_code == 401
    message = "E-mail address or password is wrong"
    assert message in wrong_password.get_data(as_text=True) and message in wrong_email.get_data(as_text=True)


def test_session_cookie_is_httponly_and_lax(client, two_ministries, login_as):
    cookie = login_as("awa@sante.gouv.sn").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_officer_sees_own_case_and_its_contact_details_on_request_each_display_audited(client, two_ministries,
                                                                                        login_as, seeded):
    from civicly.triage import admin_audit

    login_as("awa@sante.gouv.sn")
    queue = client.get("/officer/queue").get_data(as_text=True)
    assert two_ministries.reference in queue
    page = client.get(f"/officer/cases/{two_ministries.reference}").get_data(as_text=True)
    assert "malaria tests" in page and "fatou@example.sn" not in page and "Show contact details" in page
    assert list(admin_audit.entries(seeded, action="contact.view")) == []
    shown = client.post(f"/officer/cases/{two_ministries.reference}/contact", data={"csrf_token": csrf_token(page)})
    assert shown.status_code == 200 and "fatou@example.sn" in shown.get_data(as_text=True)
    [entry] = admin_audit.entries(seeded, action="contact.view")
    assert (entry.actor, entry.target, entry.details) == ("awa@sante.gouv.sn", two_ministries.reference, {})


@pytest.mark.parametrize("path", OFFICER_PAGES[3:] + ["/officer/cases/{ref}/decide"])
def test_officer_of_another_ministry_gets_404(client, two_ministries, login_as, path):
    login_as("ali@education.gouv.sn")
    url = path.format(ref=two_ministries.reference)
    if url.endswith("/decide"):
        token = csrf_token(client.get("/officer/queue").get_data(as_text=True))
        response = client.post(url, data={"csrf_token": token, "action": "note", "version": "1", "message": "hi"})
    else:
        response = client.get(url)
    assert response.status_code == 404
    assert two_ministries.reference not in client.get("/officer/queue").get_data(as_text=True)


def test_plain_officers_have_no_triage_queue(client, two_ministries, login_as):
    login_as("awa@sante.gouv.sn")
    assert client.get("/officer/triage").status_code == 404


def test_admin_reads_without_contact_details_and_without_decision_forms(client, two_ministries, login_as):
    login_as("root@gov.sn")
    page = client.get(f"/officer/cases/{two_ministries.reference}").get_data(as_text=True)
    assert "malaria tests" in page
    assert "fatou@example.sn" not in page and "/decide" not in page


def test_triage_officer_cannot_see_contact_details_of_a_routed_case(client, seeded, two_ministries, login_as):
    unrouted = file_case(seeded, "Unclear whose job this is.", department="", email="citizen@example.ke")
    login_as("tri@gov.sn")
    assert client.get(f"/officer/cases/{two_ministries.reference}").status_code == 404
    page = client.get(f"/officer/cases/{unrouted.reference}").get_data(as_text=True)
    assert "citizen@example.ke" not in page and "Unclear whose job" in page


def _decide(client, reference, **fields):
    page = client.get(f"/officer/cases/{reference}").get_data(as_text=True)
    token = csrf_token(page)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return client.post(f"/officer/cases/{reference}/decide", data={"csrf_token": token, "version": version, **fields})


def test_decision_without_csrf_token_is_refused(client, two_ministries, login_as):
    login_as("awa@sante.gouv.sn")
    response = client.post(f"/officer/cases/{two_ministries.reference}/decide",
                           data={"action": "status", "version": "1", "status": "resolved"})
    assert response.status_code == 400
    assert "resolved" not in client.get(f"/track/{two_ministries.reference}").get_data(as_text=True).lower()


def test_reply_reaches_the_tracking_page(client, two_ministries, login_as):
    login_as("awa@sante.gouv.sn")
    response = _decide(client, two_ministries.reference, action="reply", message="Tests arrive tomorrow.")
    assert response.status_code == 303
    assert "Tests arrive tomorrow." in client.get(f"/track/{two_ministries.reference}").get_data(as_text=True)


def test_stale_page_gets_a_clear_conflict_message(client, two_ministries, login_as):
    login_as("awa@sante.gouv.sn")
    page = client.get(f"/officer/cases/{two_ministries.reference}").get_data(as_text=True)
    token = csrf_token(page)
    first = client.post(f"/officer/cases/{two_ministries.reference}/decide",
                        data={"csrf_token": token, "version": "1", "action": "status", "status": "acknowledged"})
    second = client.post(f"/officer/cases/{two_ministries.reference}/decide",
                         data={"csrf_token": token, "version": "1", "action": "status", "status": "resolved"})
    assert first.status_code == 303 and second.status_code == 409
    assert "This case changed since you opened it" in second.get_data(as_text=True)


def test_invalid_decision_is_explained(client, two_ministries, login_as):
    login_as("awa@sante.gouv.sn")
    response = _decide(client, two_ministries.reference, action="reassign", department="EDUCATION", reason="")
    assert response.status_code == 400 and "a reason is required" in response.get_data(as_text=True)


def test_logout_needs_post_and_ends_the_session(client, two_ministries, login_as):
    login_as("awa@sante.gouv.sn")
    page = client.get("/officer/queue").get_data(as_text=True)
    token = csrf_token(page)
    assert client.get("/officer/logout").status_code == 405
    assert client.post("/officer/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/officer/queue").status_code == 302


def test_admins_are_alerted_when_no_model_serves(client, two_ministries, login_as):
    login_as("root@gov.sn")
    assert "The routing model is not available" in client.get("/officer/queue").get_data(as_text=True)
    client.post("/officer/logout", data={"csrf_token": csrf_token(client.get("/officer/queue").get_data(as_text=True))})
    login_as("awa@sante.gouv.sn")
    assert "The routing model is not available" not in client.get("/officer/queue").get_data(as_text=True)


def test_case_page_says_in_words_why_a_confident_suggestion_went_to_triage(client, seeded, two_ministries, login_as):
    from civicly.classify import Routing
    from civicly.triage.intake import SubmissionInput, submit
    from classifier import Prediction

    verdict = Prediction(department="SANTE", confidence=0.996, auto_routed=False, top3=[("SANTE", 0.996)],
                         reasons=["paludisme"], urgency="low", urgency_score=0.2, urgency_source="rules",
                         urgency_reasons=[], language="fr", triage_reason="language_not_auto_routed")
    case = submit(seeded, SubmissionInput(text="Le centre de santé n'a plus de tests du paludisme."),
                  route=lambda _text: Routing("v1", verdict))
    seeded.commit()
    login_as("tri@gov.sn")
    page = client.get(f"/officer/cases/{case.reference}").get_data(as_text=True)
    assert "sent to manual triage: the model is not yet accurate enough in this language" in page
