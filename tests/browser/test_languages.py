"""A citizen goes all the way in Arabic (right to left) or Swahili, and switching language never loses the form."""
import re

import pytest

pytestmark = pytest.mark.browser

ARABIC = "انقطعت المياه عن حي المدينة منذ ثلاثة أيام ولم يأت أحد لإصلاح الأنبوب."
SWAHILI = "Hakuna maji safi katika kijiji chetu tangu wiki iliyopita, watoto wanaugua."


# The label's text ends at the right edge of the content box of <main>: text runs right to left.
TEXT_HUGS_THE_RIGHT_EDGE = """e => {
    const range = document.createRange(); range.selectNodeContents(e);
    const main = document.querySelector('main'), style = getComputedStyle(main);
    const contentRight = main.getBoundingClientRect().right - parseFloat(style.paddingRight);
    return Math.abs(range.getBoundingClientRect().right - contentRight) < 2;
}"""


def send(page):
    page.locator("#submission button[type=submit]").click()


def test_citizen_submits_and_follows_a_case_in_arabic_right_to_left(browser, live_server):
    context = browser.new_context(locale="ar", base_url=live_server)
    page = context.new_page()
    page.goto("/submit")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    brand, languages = page.locator(".brand").bounding_box(), page.locator(".languages").bounding_box()
    assert brand["x"] > languages["x"], "the header must mirror: the brand starts on the right"
    assert page.locator("label[for=text]").evaluate(TEXT_HUGS_THE_RIGHT_EDGE)
    label = page.get_by_label("شكواك أو اقتراحك")
    label.fill(ARABIC)
    page.get_by_label("المكان (الجهة أو المدينة أو الحي)").fill("الرباط")
    send(page)
    page.wait_for_url(re.compile(r"/track/CIV-"))
    assert page.get_by_text("شكرًا لك، لقد تم استلام رسالتك").is_visible()
    reference = page.locator("#reference").inner_text()
    assert page.evaluate("getComputedStyle(document.getElementById('reference')).direction") == "ltr"

    page.goto("/track")
    page.get_by_label("الرقم المرجعي للملف").fill(reference)
    page.get_by_role("button", name="بحث").click()
    page.wait_for_url(f"**/track/{reference}")
    assert page.locator(".status").inner_text() == "تم الاستلام"
    assert "تم استلام الرسالة" in page.locator(".history").inner_text()
    context.close()


def test_citizen_chooses_swahili_and_stays_in_it_to_follow_the_case(page):
    page.goto("/submit")
    page.get_by_label("Your concern or suggestion").fill(SWAHILI)
    page.get_by_role("button", name="Kiswahili").click()
    assert page.locator("html").get_attribute("lang") == "sw"
    page.get_by_role("button", name="Tuma", exact=True).click()
    page.wait_for_url(re.compile(r"/track/CIV-"))
    assert page.get_by_text("Asante, ujumbe wako umepokelewa").is_visible()
    reference = page.locator("#reference").inner_text()
    page.get_by_role("link", name="Fuatilia suala").click()
    page.get_by_label("Namba ya kumbukumbu ya suala").fill(reference)
    page.get_by_role("button", name="Tafuta").click()
    page.wait_for_url(f"**/track/{reference}")
    assert page.locator(".status").inner_text() == "Imepokelewa"
    assert page.locator("html").get_attribute("lang") == "sw"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_switching_language_keeps_what_was_typed(browser, live_server, javascript):
    context = browser.new_context(locale="fr-FR", base_url=live_server, java_script_enabled=javascript)
    page = context.new_page()
    page.goto("/submit")
    page.get_by_label("Votre signalement ou votre suggestion").fill(SWAHILI)
    page.get_by_label("Lieu (région, ville ou quartier)").fill("Mombasa")
    page.get_by_label("Langue de votre message").select_option("sw")
    page.get_by_label("Votre nom").fill("Amani Juma")
    page.get_by_label("Adresse e-mail").fill("amani@example.org")

    page.get_by_role("button", name="العربية").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_label("شكواك أو اقتراحك").input_value() == SWAHILI
    assert page.get_by_label("المكان (الجهة أو المدينة أو الحي)").input_value() == "Mombasa"
    assert page.get_by_label("لغة رسالتك").input_value() == "sw"
    assert page.get_by_label("اسمك").input_value() == "Amani Juma"
    assert page.get_by_label("عنوان البريد الإلكتروني").input_value() == "amani@example.org"
    assert page.get_by_role("alert").count() == 0

    page.get_by_role("button", name="English").click()
    assert page.get_by_label("Your concern or suggestion").input_value() == SWAHILI
    page.get_by_label("Place (region, town or district)").press("Enter")  # Enter sends; it does not switch language
    page.wait_for_url(re.compile(r"/track/CIV-"))
    assert page.get_by_text("Thank you, your submission was received").is_visible()
    context.close()
