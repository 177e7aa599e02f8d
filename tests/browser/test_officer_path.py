"""Officers work the queue in a real Chromium: sign in, open the most urgent case, reassign it; a reply reaches
the citizen."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlmodel import Session

from civicly.models import Role
from civicly.triage.accounts import create_user
from tests.conftest import ACTOR, PASSWORD, file_case

pytestmark = pytest.mark.browser


@pytest.fixture
def officers(live_app):
    with Session(live_app.extensions["civicly.engine"], expire_on_commit=False) as session:
        create_user(session, "awa@sante.gouv.sn", PASSWORD, Role.officer, ["SANTE"], actor=ACTOR)
        create_user(session, "ali@education.gouv.sn", PASSWORD, Role.officer, ["EDUCATION"], actor=ACTOR)
        calm = file_case(session, "The waiting room chairs are broken.")
        urgent = file_case(session, "School children fell ill after eating at the canteen, many vomiting.")
        urgent.urgency, urgent.urgency_rank, urgent.urgency_score = "high", 3, 0.95
        session.add(urgent)
        session.commit()
        return calm.reference, urgent.reference


def sign_in(page, email):
    page.goto("/officer/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/officer/queue")


def test_officer_reassigns_the_most_urgent_case_and_the_other_ministry_sees_it(browser, live_server, officers):
    calm, urgent = officers
    awa = browser.new_context(base_url=live_server, locale="en-GB").new_page()
    sign_in(awa, "awa@sante.gouv.sn")
    first_row_link = awa.locator("table.queue tbody tr").first.get_by_role("link")
    assert first_row_link.inner_text() == urgent
    first_row_link.click()
    awa.get_by_label("Ministry").select_option("EDUCATION")
    awa.get_by_label("Reason", exact=True).first.fill("Food safety at school")
    awa.get_by_role("button", name="Reassign").click()
    awa.wait_for_url("**/officer/queue")
    assert urgent not in awa.locator("main").inner_text() and calm in awa.locator("main").inner_text()

    ali = browser.new_context(base_url=live_server, locale="en-GB").new_page()
    sign_in(ali, "ali@education.gouv.sn")
    assert ali.locator("table.queue tbody tr").first.get_by_role("link").inner_text() == urgent
    ali.context.close()
    awa.context.close()


def test_public_reply_appears_on_the_tracking_page(browser, live_server, officers):
    calm, _urgent = officers
    awa = browser.new_context(base_url=live_server, locale="en-GB").new_page()
    sign_in(awa, "awa@sante.gouv.sn")
    awa.goto(f"/officer/cases/{calm}")
    awa.get_by_label("Public reply").fill("New chairs are ordered and arrive next week.")
    awa.get_by_role("button", name="Publish reply").click()
    assert awa.get_by_role("status").filter(has_text="Saved.").is_visible()
    citizen = browser.new_context(base_url=live_server, locale="en-GB").new_page()
    citizen.goto(f"/track/{calm}")
    assert citizen.get_by_text("New chairs are ordered and arrive next week.").is_visible()
    citizen.context.close()
    awa.context.close()


@pytest.fixture
def triage_case(live_app) -> str:
    """A case the model put at 96 % for Santé but left to manual triage, and a triage officer."""
    from civicly.classify import Routing
    from civicly.triage.intake import SubmissionInput, submit
    from classifier import Prediction

    verdict = Prediction(department="SANTE", confidence=0.96, auto_routed=False,
                         top3=[("SANTE", 0.96), ("EDUCATION", 0.03), ("AGRICULTURE", 0.01)], reasons=["médecin"],
                         urgency="medium", urgency_score=0.5, urgency_source="rules", urgency_reasons=[],
                         language="fr", triage_reason="language_not_auto_routed")
    with Session(live_app.extensions["civicly.engine"], expire_on_commit=False) as session:
        create_user(session, "tri@gov.sn", PASSWORD, Role.triage, [], actor=ACTOR)
        create_user(session, "awa@sante.gouv.sn", PASSWORD, Role.officer, ["SANTE"], actor=ACTOR)
        case = submit(session, SubmissionInput(text="Il n'y a plus de médecin au centre de santé de Kaolack."),
                      route=lambda _text: Routing("v1", verdict))
        session.commit()
        return case.reference


def test_triage_officer_routes_a_case_in_one_click_from_the_keyboard(browser, live_server, triage_case):
    tri = browser.new_context(base_url=live_server, locale="en-GB").new_page()
    tri.goto("/officer/login")
    tri.get_by_label("E-mail address").fill("tri@gov.sn")
    tri.get_by_label("Password").fill(PASSWORD)
    tri.get_by_role("button", name="Sign in").click()
    tri.wait_for_url("**/officer/triage")
    tri.get_by_role("link", name=triage_case).click()
    assert tri.get_by_label("Ministry").input_value() == "SANTE"
    results = Axe().run(tri, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                            "wcag21aa"]}})
    assert results.violations_count == 0, results.generate_report()
    button = tri.get_by_role("button", name="Send to Health and Prevention (96%)")
    button.focus()
    tri.keyboard.press("Enter")
    tri.wait_for_url("**/officer/triage")
    assert triage_case not in tri.locator("main").inner_text()

    awa = browser.new_context(base_url=live_server, locale="en-GB").new_page()
    sign_in(awa, "awa@sante.gouv.sn")
    assert awa.locator("table.queue tbody tr").first.get_by_role("link").inner_text() == triage_case
    awa.context.close()
    tri.context.close()
