"""A citizen submits a concern and follows it, in a real Chromium."""
import re

import pytest

pytestmark = pytest.mark.browser

TEXT = "Depuis trois jours il n'y a plus d'eau au robinet du quartier Médina, à Dakar."


def test_citizen_submits_and_lands_on_the_tracking_page(page):
    page.goto("/submit")
    page.get_by_label("Your concern or suggestion").fill(TEXT)
    page.get_by_label("Place (region, town or district)").fill("Dakar")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r"/track/CIV-"))
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"CIV-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    assert page.get_by_text("Thank you, your submission was received").is_visible()

    page.goto("/track")
    page.get_by_label("Case reference").fill(reference.lower())
    page.get_by_role("button", name="Look up").click()
    page.wait_for_url(f"**/track/{reference}")
    assert page.locator("#reference").inner_text() == reference


def test_invalid_form_keeps_the_typed_text(page):
    page.goto("/submit")
    page.get_by_label("Your concern or suggestion").fill("court")
    page.get_by_label("E-mail address").fill("awa@")
    page.get_by_label("Place (region, town or district)").fill("Thiès")
    page.get_by_role("button", name="Send").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Your concern or suggestion").input_value() == "court"
    assert page.get_by_label("E-mail address").input_value() == "awa@"
    assert page.get_by_label("Place (region, town or district)").input_value() == "Thiès"
    assert page.url.endswith("/submit")
