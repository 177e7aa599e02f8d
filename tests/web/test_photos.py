"""Photos through the citizen form and the officer's case page: stored without metadata, shown only to the staff
who may see the case."""
import io
import re

from sqlmodel import select

from civicly.models import Case, Photo
from civicly.triage import photos
from tests import images
from tests.conftest import csrf_token

TEXT = "A burst pipe floods the street in front of the Kaolack market."


def post_form(client, files=(), **fields):
    page = client.get("/submit")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "text": TEXT, "form_token": ""}
    data.update(fields)
    data["photos"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/submit", data=data, content_type="multipart/form-data")


def stored_case(session, response) -> Case:
    reference = response.headers["Location"].split("/track/")[1].split("?")[0]
    return session.exec(select(Case).where(Case.reference == reference)).one()


def photo_urls(page: str) -> list[str]:
    return re.findall(r'href="(/officer/cases/[^"]+/photos/\d+)"', page)


def test_the_form_sends_files_and_offers_the_countrys_areas(client):
    page = client.get("/submit").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'<input[^>]*type="file"[^>]*multiple|<input[^>]*multiple[^>]*type="file"', page)
    assert '<option value="SN-KL">Kaolack</option>' in page


def test_a_phone_photo_is_stored_upright_without_its_metadata_and_the_officer_sees_it(
        app, client, seeded, make_user, login_as):
    response = post_form(client, files=[("IMG_2041.jpg", images.phone_photo())], area_code="SN-KL")
    assert response.status_code == 303
    case = stored_case(seeded, response)
    assert case.area_code == "SN-KL"
    stored = seeded.exec(select(Photo).where(Photo.case_id == case.id)).one()
    assert "IMG" not in stored.image_name

    make_user("o@sante.gouv.sn", "officer", ["SANTE"])
    seeded.exec(select(Case).where(Case.id == case.id)).one().department_id = stored_department(seeded)
    seeded.commit()
    login_as("o@sante.gouv.sn")
    page = client.get(f"/officer/cases/{case.reference}").get_data(as_text=True)
    assert "Kaolack" in page
    [url] = photo_urls(page)
    served = client.get(url)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline; filename=")
    meta = images.metadata_of(served.data)
    assert meta["exif"] == {} and meta["info"] == {}  # no GPS, no camera serial, no comment, no ICC profile
    assert meta["size"] == (1200, 1600)  # turned upright (the tag said so), then 1,600 px at most
    assert client.get(url + "/thumbnail").status_code == 200


def stored_department(session) -> int:
    from civicly.models import Department

    return session.exec(select(Department.id).where(Department.code == "SANTE")).one()


def test_other_ministries_and_anonymous_visitors_get_404_for_the_photo(app, client, seeded, make_user, login_as):
    response = post_form(client, files=[("p.png", images.png())], text=TEXT)
    case = stored_case(seeded, response)
    case.department_id, case.needs_triage = stored_department(seeded), False
    seeded.add(case)
    seeded.commit()
    photo = seeded.exec(select(Photo).where(Photo.case_id == case.id)).one()
    url = f"/officer/cases/{case.reference}/photos/{photo.id}"
    assert client.get(url).status_code == 404  # anonymous: not even a redirect to the sign-in page
    assert client.get(url + "/thumbnail").status_code == 404
    make_user("e@education.gouv.sn", "officer", ["EDUCATION"])
    login_as("e@education.gouv.sn")
    assert client.get(url).status_code == 404
    assert client.get(f"/officer/cases/{case.reference}/photos/{photo.id + 1}").status_code == 404


def test_the_public_tracking_page_never_shows_the_photos(client, seeded):
    response = post_form(client, files=[("p.png", images.png())])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "/photos/" not in page and "<img" not in page


def test_refused_files_get_a_translated_error_and_the_form_keeps_the_text(client, seeded):
    files = [("scan.jpg", images.PDF), ("drawing.svg", images.SVG), ("cut.jpg", images.truncated_jpeg())]
    response = post_form(client, files=files, place="Marché central", name="Awa")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count("not a photo we can read") == 2 * 3  # in the summary and by the field
    assert "scan.jpg" in page and "drawing.svg" in page and TEXT in page and 'value="Marché central"' in page
    assert "choose your photos again" in page
    assert seeded.exec(select(Case)).first() is None


def test_a_decompression_bomb_and_too_many_or_too_large_files_are_refused(client, seeded):
    page = post_form(client, files=[("bomb.png", images.bomb())]).get_data(as_text=True)
    assert "too large to process" in page
    page = post_form(client, files=[(f"p{i}.png", images.png()) for i in range(4)]).get_data(as_text=True)
    assert "at most 3 photos" in page
    big = b"\xff\xd8" + b"0" * photos.MAX_BYTES
    page = post_form(client, files=[("big.jpg", big)]).get_data(as_text=True)
    assert "larger than 5 MB" in page
    assert seeded.exec(select(Case)).first() is None


def test_errors_are_translated(client, seeded):
    client.get("/language/fr")
    page = post_form(client, files=[("scan.jpg", images.PDF)]).get_data(as_text=True)
    assert "pas une photo" in page


def test_an_unknown_area_is_refused_and_a_position_is_kept_to_about_100_m(client, seeded):
    page = post_form(client, area_code="KE-17").get_data(as_text=True)
    assert "choose one of the areas offered" in page
    case = stored_case(seeded, post_form(client, latitude="14.151973", longitude="-16.072591"))
    assert (case.latitude, case.longitude) == (14.152, -16.073)
    assert case.area_code == "SN-KL"  # found from the position


def test_the_form_page_may_ask_for_the_position_and_no_other_page_may(client):
    assert "geolocation=(self)" in client.get("/submit").headers["Permissions-Policy"]
    assert "geolocation=()" in client.get("/track").headers["Permissions-Policy"]


def test_an_impossible_position_is_explained_by_the_place_and_nothing_is_lost(client, seeded):
    response = post_form(client, latitude="95", longitude="-16.07", place="Kaolack")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Latitude must be between -90 and 90" in page and TEXT in page
    assert seeded.exec(select(Case)).first() is None


def test_only_files_get_the_larger_room_and_too_much_is_a_clear_413(client, seeded):
    token = csrf_token(client.get("/submit").get_data(as_text=True))
    huge_text = client.post("/submit", data={"csrf_token": token, "text": "x" * (2 * 1024 * 1024)},
                            content_type="multipart/form-data")
    assert huge_text.status_code == 413 and "too large" in huge_text.get_data(as_text=True)
    too_many_bytes = client.post("/submit", data={"csrf_token": token, "text": TEXT, "photos": [
        (io.BytesIO(b"\xff" * (6 * 1024 * 1024)), f"p{i}.jpg") for i in range(3)]}, content_type="multipart/form-data")
    assert too_many_bytes.status_code == 413
    assert seeded.exec(select(Case)).first() is None
