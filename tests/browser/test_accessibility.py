"""Every citizen and officer page passes axe-core's WCAG 2.1 A and AA rules in real Chromium, in French and Arabic,
and citizen pages stay usable at 320 CSS pixels (a small phone, or 200 % zoom) with large enough touch targets."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlmodel import Session

from civicly.models import Role
from civicly.triage.accounts import create_user
from tests.conftest import ACTOR, PASSWORD, file_case

pytestmark = pytest.mark.browser

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
LOCALES = ["fr", "ar"]
TEXT = {"fr": "Le centre de santé de Kaolack n'a plus de médecin depuis deux semaines.",
        "ar": "لا يوجد طبيب في المركز الصحي في كاولاك منذ أسبوعين."}
OFFICER = "awa@sante.gouv.sn"


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def case_reference(live_app) -> str:
    with Session(live_app.extensions["civicly.engine"], expire_on_commit=False) as session:
        create_user(session, OFFICER, PASSWORD, Role.officer, ["SANTE"], actor=ACTOR)
        return file_case(session, TEXT["fr"]).reference


def send(page):
    page.locator("#submission button[type=submit]").click()


def open_form(page, locale, reference):
    page.goto("/submit")


def open_form_with_errors(page, locale, reference):
    page.goto("/submit")
    page.locator("#text").fill("court")
    page.locator("#email").fill("awa@")
    send(page)
    page.locator("#error-summary").wait_for()


def open_receipt(page, locale, reference):
    page.goto("/submit")
    page.locator("#text").fill(TEXT[locale])
    send(page)
    page.wait_for_url(re.compile(r"/track/CIV-.*new=1"))


def open_lookup_not_found(page, locale, reference):
    page.goto("/track?reference=CIV-0000-0000")


def open_tracking(page, locale, reference):
    page.goto(f"/track/{reference}")


def open_officer_login(page, locale, reference):
    page.goto("/officer/login")


def sign_in(page):
    page.goto("/officer/login")
    page.locator("#email").fill(OFFICER)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/officer/queue")


def open_queue(page, locale, reference):
    sign_in(page)


def open_officer_case(page, locale, reference):
    sign_in(page)
    page.goto(f"/officer/cases/{reference}")


PAGES = {
    "form": open_form, "form-with-errors": open_form_with_errors, "receipt": open_receipt,
    "lookup-not-found": open_lookup_not_found, "tracking": open_tracking,
    "officer-login": open_officer_login, "queue": open_queue, "officer-case": open_officer_case,
}
CITIZEN_PAGES = ["form", "form-with-errors", "receipt", "lookup-not-found", "tracking"]


@pytest.fixture(params=LOCALES)
def localised_page(request, browser, live_server):
    context = browser.new_context(locale=request.param, base_url=live_server)
    yield request.param, context.new_page()
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_wcag_21_aa_violations(localised_page, case_reference, axe, name):
    locale, page = localised_page
    PAGES[name](page, locale, case_reference)
    assert page.locator("html").get_attribute("lang") == locale
    results = axe.run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("name", CITIZEN_PAGES)
def test_citizen_page_reflows_at_320_pixels_with_44_pixel_targets(browser, live_server, case_reference, name):
    context = browser.new_context(locale="ar", base_url=live_server, viewport={"width": 320, "height": 640})
    page = context.new_page()
    PAGES[name](page, "ar", case_reference)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "horizontal scrolling at 320 px"
    too_small = page.evaluate("""() => [...document.querySelectorAll(
            'a, button, input:not([type=hidden]), select, textarea, summary')]
        .filter(e => !e.closest('[aria-hidden=true]'))
        .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
        .filter(([, r]) => r.width > 0 && r.right > 0 && r.left < innerWidth && (r.height < 44 || r.width < 44))
        .map(([html]) => html)""")
    assert not too_small, f"touch targets under 44 px: {too_small}"
    context.close()


def test_the_error_summary_gets_focus_and_fields_point_to_their_errors(page):
    open_form_with_errors(page, "en", None)
    assert page.evaluate("document.activeElement.id") == "error-summary"
    described = page.locator("#text").get_attribute("aria-describedby").split()
    assert "text-error" in described and page.locator("#text").get_attribute("aria-invalid") == "true"
    page.get_by_role("link", name=re.compile("Your concern or suggestion")).click()
    assert page.evaluate("document.activeElement.id") == "text"


def test_a_keyboard_user_can_skip_to_the_content_and_sees_where_focus_is(page):
    page.goto("/submit")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("e => e === document.activeElement") and skip.is_visible()
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
