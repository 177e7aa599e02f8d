"""The officer's working day in a real Chromium: take a case, answer it with an Arabic template, close it; the
citizen says it is not solved and it comes back to the officer's "Mine" view; a supervisor assigns; without
JavaScript, "Use template" fills the reply by a round trip."""
import pytest
from sqlmodel import Session

from civicly.models import Role
from civicly.triage import reply_templates
from civicly.triage.accounts import create_user, set_supervisor
from civicly.triage.deadlines import seed_demo_levels
from tests.browser.test_officer_path import sign_in
from tests.conftest import ACTOR, PASSWORD, file_case

pytestmark = pytest.mark.browser

ARABIC_TEMPLATE = "مرحبا، بخصوص طلبكم رقم {reference}: قامت {ministry} ببرمجة تدخل."


@pytest.fixture
def arabic_case(live_app) -> str:
    with Session(live_app.extensions["civicly.engine"], expire_on_commit=False) as session:
        for email in ("awa@sante.gouv.sn", "moussa@sante.gouv.sn", "chef@sante.gouv.sn"):
            create_user(session, email, PASSWORD, Role.officer, ["SANTE"], actor=ACTOR)
        set_supervisor(session, "chef@sante.gouv.sn", "SANTE", True, actor=ACTOR)
        seed_demo_levels(session)
        reply_templates.add(session, "*", "ar", "برمجة تدخل", ARABIC_TEMPLATE, actor=ACTOR)
        case = file_case(session, "المستوصف في حينا بدون طبيب منذ أسبوعين والمرضى ينتظرون", language="ar")
        session.commit()
        return case.reference


def test_take_answer_with_an_arabic_template_close_and_get_it_back_when_not_solved(browser, live_server,
                                                                                  arabic_case):
    awa = browser.new_context(base_url=live_server, locale="en-GB").new_page()
    sign_in(awa, "awa@sante.gouv.sn")
    awa.goto(f"/officer/cases/{arabic_case}")
    awa.get_by_role("button", name="Take").click()
    assert awa.locator("#case-holder").inner_text() == "awa@sante.gouv.sn"
    awa.get_by_label("Reply template").select_option(label="برمجة تدخل")
    reply = awa.get_by_label("Public reply")
    assert reply.input_value().startswith(f"مرحبا، بخصوص طلبكم رقم {arabic_case}: قامت ")  # filled at once by JS
    assert reply.get_attribute("lang") == "ar"
    awa.get_by_role("button", name="Publish reply").click()
    awa.get_by_label("New status").select_option("resolved")
    awa.get_by_role("button", name="Change status").click()
    assert awa.get_by_role("status").filter(has_text="Saved.").is_visible()

    citizen = browser.new_context(base_url=live_server, locale="en-GB").new_page()
    citizen.goto(f"/track/{arabic_case}")
    assert citizen.get_by_text(f"مرحبا، بخصوص طلبكم رقم {arabic_case}").is_visible()
    citizen.get_by_role("radio", name="No").check()
    citizen.get_by_label("If not, tell us briefly").fill("Still no doctor this morning.")
    citizen.get_by_role("button", name="Send my answer").click()
    assert citizen.get_by_role("status").filter(has_text="Your case was reopened").is_visible()

    awa.goto("/officer/queue?holder=mine")
    assert awa.locator("table.queue tbody tr").first.get_by_role("link").inner_text() == arabic_case
    citizen.context.close()
    awa.context.close()


def test_a_supervisor_assigns_and_the_holder_shows_in_the_queue(browser, live_server, arabic_case):
    chef = browser.new_context(base_url=live_server, locale="en-GB").new_page()
    sign_in(chef, "chef@sante.gouv.sn")
    chef.goto(f"/officer/cases/{arabic_case}")
    chef.get_by_label("Assign to…").select_option("moussa@sante.gouv.sn")
    chef.get_by_role("button", name="Assign", exact=True).click()
    assert chef.locator("#case-holder").inner_text() == "moussa@sante.gouv.sn"
    chef.goto("/officer/queue")
    assert chef.locator("table.queue td.holder").first.inner_text() == "moussa@sante.gouv.sn"
    chef.goto("/officer/load")
    assert "moussa@sante.gouv.sn" in chef.locator("table.load").inner_text()
    chef.context.close()


def test_use_template_without_javascript(browser, live_server, arabic_case):
    awa = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=False).new_page()
    sign_in(awa, "awa@sante.gouv.sn")
    awa.goto(f"/officer/cases/{arabic_case}")
    awa.get_by_label("Reply template").select_option(label="برمجة تدخل")
    assert awa.get_by_label("Public reply").input_value() == ""
    awa.get_by_role("button", name="Use template").click()
    assert awa.get_by_label("Public reply").input_value().startswith(f"مرحبا، بخصوص طلبكم رقم {arabic_case}")
    awa.context.close()
