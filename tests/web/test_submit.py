"""The citizen form and tracking pages over HTTP, with CSRF on."""
import re

from sqlmodel import select

from civicly.models import Case
from civicly.triage.intake import TEXT_MAX, TEXT_MIN
from tests.conftest import csrf_token

TEXT = "The public tap in Médina has been dry since Monday."


def post_form(client, **fields):
    page = client.get("/submit")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "text": TEXT, "form_token": ""}
    data.update(fields)
    return client.post("/submit", data=data)


def test_form_page_has_csrf_and_explains_personal_data(client):
    page = client.get("/submit").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert "anonymous" in page


def test_the_form_allows_and_announces_the_length_intake_accepts(client):
    page = client.get("/submit").get_data(as_text=True)
    assert re.search(rf'<textarea[^>]*maxlength="{TEXT_MAX}"', page)
    assert f"Between {TEXT_MIN} and {TEXT_MAX:,} characters." in page


def test_valid_submission_redirects_303_to_its_tracking_page(client, seeded):
    response = post_form(client)
    assert response.status_code == 303
    reference = response.headers["Location"].split("/track/")[1].split("?")[0]
    page = client.get(f"/track/{reference}").get_data(as_text=True)
    assert reference in page and "Received" in page
    assert seeded.exec(select(Case).where(Case.reference == reference)).one().text == TEXT


def test_invalid_submission_keeps_what_was_typed_and_explains(client, seeded):
    response = post_form(client, text="too short", name="Aïcha <b>", email="bad@", place="Kayes")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "at least 10 characters" in page and "e-mail address does not look right" in page
    assert re.search(r">\s*too short</textarea>", page) and 'value="Kayes"' in page and "Aïcha &lt;b&gt;" in page
    assert 'aria-invalid="true"' in page
    assert seeded.exec(select(Case)).first() is None


def test_missing_csrf_token_shows_the_form_again_with_the_text(client, seeded):
    response = client.post("/submit", data={"text": TEXT})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "session expired" in page and TEXT in page
    assert seeded.exec(select(Case)).first() is None


def test_unknown_reference_gets_a_friendly_404_with_the_lookup_form(client, seeded):
    response = client.get("/track/CIV-0000-0000")
    assert response.status_code == 404
    assert "could not find this reference" in response.get_data(as_text=True)


def test_track_form_redirects_to_the_case(client, seeded):
    reference = post_form(client).headers["Location"].split("/track/")[1].split("?")[0]
    response = client.get("/track", query_string={"reference": reference.lower()})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/track/{reference}")


def test_every_page_sends_security_headers(client):
    response = client.get("/submit")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_language_choice_is_kept_in_a_cookie_and_only_redirects_within_the_site(client):
    response = client.get("/language/ar", query_string={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    page = client.get("/submit").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
