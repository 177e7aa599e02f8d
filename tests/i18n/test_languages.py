"""Which language a page is in, switching it without losing the form, and the language stored with a case."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib import resources

import pytest
from sqlmodel import select

from civicly.i18n import COOKIE
from civicly.languages import LANGUAGES
from civicly.models import Case, Department
from civicly.triage.intake import SubmissionInput, validate
from tests.conftest import csrf_token, file_case

TYPED = {"text": "Hakuna maji safi katika kijiji chetu tangu wiki iliyopita.", "place": "Dodoma", "name": "Amani"}


def html_lang(page: str) -> tuple[str, str]:
    match = re.search(r'<html lang="(\w+)" dir="(\w+)">', page)
    assert match, page[:200]
    return match.group(1), match.group(2)


def test_without_a_choice_accept_language_decides_regional_variants_included(client):
    page = client.get("/submit", headers={"Accept-Language": "sw-TZ, en;q=0.5"}).get_data(as_text=True)
    assert html_lang(page) == ("sw", "ltr")
    page = client.get("/submit", headers={"Accept-Language": "ar-MA"}).get_data(as_text=True)
    assert html_lang(page) == ("ar", "rtl") and "راسل حكومتك" in page


def test_the_configured_default_serves_languages_nobody_asked_for(app, client):
    app.config["DEFAULT_LOCALE"] = "fr"
    page = client.get("/submit", headers={"Accept-Language": "de, pt;q=0.8"}).get_data(as_text=True)
    assert html_lang(page) == ("fr", "ltr") and "Écrivez à votre administration" in page


def test_an_explicit_choice_beats_accept_language(client):
    client.set_cookie(COOKIE, "ar")
    assert html_lang(client.get("/track", headers={"Accept-Language": "fr"}).get_data(as_text=True)) == ("ar", "rtl")


def test_every_page_offers_every_language_in_its_own_name(client):
    page = client.get("/track").get_data(as_text=True)
    for code, name in (("fr", "Français"), ("en", "English"), ("ar", "العربية"), ("sw", "Kiswahili")):
        assert f'hreflang="{code}"' in page and name in page


def test_the_languages_offered_are_the_languages_stored_named_and_translated():
    translations = resources.files("civicly") / "translations"
    for code in LANGUAGES:
        assert validate(SubmissionInput(text="A long enough concern.", language=code)).language == code
        assert f"name_{code}" in Department.model_fields
        assert (translations / code / "LC_MESSAGES" / "messages.po").is_file()


def test_switching_language_on_the_form_keeps_what_was_typed_and_stores_nothing(client, seeded):
    form = client.get("/submit").get_data(as_text=True)
    response = client.post("/submit", data={"csrf_token": csrf_token(form), "form_token": "t1", "language": "sw",
                                            "switch_language": "ar", **TYPED})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html_lang(page) == ("ar", "rtl") and "شكواك أو اقتراحك" in page
    assert all(value in page for value in TYPED.values())
    assert re.search(r'<option[^>]*selected[^>]*value="sw"|<option[^>]*value="sw"[^>]*selected', page)
    assert 'role="alert"' not in page, "switching language must not validate"
    assert f"{COOKIE}=ar" in response.headers["Set-Cookie"]
    assert seeded.exec(select(Case)).first() is None
    assert html_lang(client.get("/track").get_data(as_text=True)) == ("ar", "rtl")


def test_an_unknown_language_button_changes_nothing(client):
    form = client.get("/submit").get_data(as_text=True)
    response = client.post("/submit", data={"csrf_token": csrf_token(form), "switch_language": "xx", **TYPED})
    assert html_lang(response.get_data(as_text=True)) == ("en", "ltr")
    assert "Set-Cookie" not in response.headers or COOKIE not in response.headers["Set-Cookie"]


def test_validation_messages_come_in_the_citizens_language(client):
    client.set_cookie(COOKIE, "fr")
    form = client.get("/submit").get_data(as_text=True)
    data = {"csrf_token": csrf_token(form), "text": "court", "email": "awa@"}
    page = client.post("/submit", data=data).get_data(as_text=True)
    assert "Veuillez écrire au moins 10 caractères." in page
    assert "Cette adresse e-mail ne semble pas valide" in page


def test_tracking_page_shows_ministry_status_and_dates_in_the_citizens_language(client, seeded):
    case = file_case(seeded, department="SANTE")
    case.created_at = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
    seeded.add(case)
    seeded.commit()
    client.set_cookie(COOKIE, "fr")
    page = client.get(f"/track/{case.reference}").get_data(as_text=True)
    assert "Santé et prévention" in page and "Reçu" in page and "5 mars 2026" in page
    client.set_cookie(COOKIE, "ar")
    page = client.get(f"/track/{case.reference}").get_data(as_text=True)
    assert "الصحة والوقاية" in page and "2026، 9:30:00 ص" in page
    client.set_cookie(COOKIE, "sw")
    assert "Afya na Kinga" in client.get(f"/track/{case.reference}").get_data(as_text=True)


def test_error_pages_are_translated(client):
    client.set_cookie(COOKIE, "sw")
    assert "Ukurasa haukupatikana" in client.get("/no-such-page").get_data(as_text=True)


@pytest.mark.parametrize("text, expected", [
    ("Depuis trois jours il n'y a plus d'eau au robinet du quartier Médina, à Dakar.", "fr"),
    ("The health centre in Kaolack has had no doctor for two weeks.", "en"),
    ("لا يوجد ماء في الحي منذ ثلاثة أيام ولم يأت أحد لإصلاح الأنبوب.", "ar"),
    ("Hakuna maji safi katika kijiji chetu tangu wiki iliyopita.", "sw"),
])
def test_a_case_records_the_detected_language_when_none_was_chosen(seeded, text, expected):
    assert file_case(seeded, text).language == expected


def test_the_language_the_citizen_chose_wins_over_detection(seeded):
    assert file_case(seeded, "The health centre in Kaolack has had no doctor.", language="fr").language == "fr"
