"""On a cheap phone's 360 px screen a citizen attaches a photo, picks an area and shares a position; the officer sees
the photo, without its metadata, and the area, on the case page."""
import pytest
from sqlmodel import Session, select

from civicly.models import Case, Department, Photo, Role
from civicly.triage.accounts import create_user
from tests import images
from tests.browser.test_officer_path import sign_in
from tests.conftest import ACTOR, PASSWORD

pytestmark = pytest.mark.browser
TEXT = "The water pipe burst near the Kaolack market and the street is flooded."


def test_a_photo_attached_on_a_phone_reaches_the_officer_without_its_metadata(browser, live_server, live_app):
    phone = browser.new_context(base_url=live_server, locale="en-GB", viewport={"width": 360, "height": 740},
                                is_mobile=True, has_touch=True, permissions=["geolocation"],
                                geolocation={"latitude": 14.151973, "longitude": -16.072591})
    citizen = phone.new_page()
    citizen.goto("/submit")
    citizen.get_by_label("Your concern or suggestion").fill(TEXT)
    citizen.get_by_label("Area").select_option(label="Kaolack")
    citizen.get_by_role("button", name="Add my position").click()
    citizen.get_by_text("Position added").wait_for()
    citizen.get_by_label("Photos").set_input_files(
        [{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": images.phone_photo()}])
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the screen
    citizen.get_by_role("button", name="Send", exact=True).last.click()
    citizen.wait_for_url("**/track/**")
    phone.close()

    with Session(live_app.extensions["civicly.engine"], expire_on_commit=False) as session:
        case = session.exec(select(Case)).one()
        assert (case.area_code, case.latitude, case.longitude) == ("SN-KL", 14.152, -16.073)
        assert session.exec(select(Photo).where(Photo.case_id == case.id)).one()
        case.department_id = session.exec(select(Department.id).where(Department.code == "SANTE")).one()
        case.needs_triage = False  # routed to the health ministry, as the model or a triage officer would
        session.add(case)
        create_user(session, "awa@sante.gouv.sn", PASSWORD, Role.officer, ["SANTE"], actor=ACTOR)
        session.commit()
        reference = case.reference

    desk = browser.new_context(base_url=live_server, locale="en-GB")
    officer = desk.new_page()
    sign_in(officer, "awa@sante.gouv.sn")
    assert "Kaolack" in officer.locator("table.queue").inner_text()
    officer.goto(f"/officer/cases/{reference}")
    assert officer.locator("#case-area").inner_text() == "Kaolack"
    thumbnail = officer.get_by_role("img", name="Photo 1 of 1, attached by the citizen")
    thumbnail.wait_for()
    assert officer.evaluate("img => img.complete && img.naturalWidth > 0", thumbnail.element_handle())
    photo = officer.request.get(officer.locator("ul.photos a").get_attribute("href"))
    assert photo.ok and images.metadata_of(photo.body())["exif"] == {}
    desk.close()


def test_too_many_photos_are_refused_before_sending_and_the_text_stays(page):
    page.goto("/submit")
    page.get_by_label("Your concern or suggestion").fill(TEXT)
    page.get_by_label("Photos").set_input_files(
        [{"name": f"p{i}.png", "mimeType": "image/png", "buffer": images.png()} for i in range(4)])
    alert = page.locator("#photos-check")
    alert.wait_for()
    assert "at most 3 photos" in alert.inner_text()
    assert page.evaluate("document.getElementById('photos').files.length") == 0
    assert page.get_by_label("Your concern or suggestion").input_value() == TEXT
