"""Photos through Open311: POST takes `media` file parts, GET gives media_url for published cases only."""
import io

from sqlmodel import select

from civicly.models import Case, Photo
from tests import images
from tests.api.conftest import BASE
from tests.api.test_get_requests import get, published

TEXT = "Water pours out of a broken pipe near the Kaolack market."


def post_with_media(client, api_key, *files, **fields):
    data = {"description": TEXT, "lat": "14.1520", "long": "-16.0726", "publish_consent": "true", **fields,
            "media": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"{BASE}/requests.json", data=data, headers={"X-Api-Key": api_key},
                       content_type="multipart/form-data")


def filed(session, response) -> Case:
    reference = response.get_json()[0]["service_request_id"]
    return session.exec(select(Case).where(Case.reference == reference)).one()


def test_a_media_part_is_stored_as_a_photo_and_the_position_gives_the_area(client, seeded, api_key):
    response = post_with_media(client, api_key, ("pipe.jpg", images.phone_photo()))
    assert response.status_code == 200, response.get_data(as_text=True)
    case = filed(seeded, response)
    assert case.area_code == "SN-KL"
    assert (case.latitude, case.longitude) == (14.152, -16.0726)  # a partner's coordinates are kept as sent
    assert len(seeded.exec(select(Photo).where(Photo.case_id == case.id)).all()) == 1


def test_a_file_that_is_not_a_photo_is_a_400_naming_media(client, seeded, api_key):
    response = post_with_media(client, api_key, ("pipe.jpg", images.PDF))
    assert response.status_code == 400
    assert "media: pipe.jpg: This file is not a photo" in response.get_json()[0]["description"]
    assert seeded.exec(select(Case)).first() is None


def test_media_url_only_for_published_cases_and_their_photo_only_while_published(client, seeded, api_key):
    response = post_with_media(client, api_key, ("pipe.jpg", images.phone_photo()), service_code="TERRITOIRES")
    case = filed(seeded, response)
    [own] = get(client, f"requests/{case.reference}.json", key=api_key).get_json()
    assert own["media_url"] is None  # filed, not published: the photo stays with the ministry

    case = published(seeded, case)
    [shown] = get(client, f"requests/{case.public_id}.json").get_json()
    assert shown["media_url"].endswith(f"/open311/v2/media/{case.public_id}/1.jpg")
    photo = client.get(shown["media_url"])
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert images.metadata_of(photo.data)["exif"] == {}
    assert client.get(f"{BASE}/media/{case.public_id}/2.jpg").status_code == 404

    case.published_at = None  # withdrawn
    seeded.add(case)
    seeded.commit()
    assert client.get(shown["media_url"]).status_code == 404
    assert client.get(f"{BASE}/media/P-AAAAAAAAAAAA/1.jpg").status_code == 404


def test_a_partners_media_url_keeps_working(client, seeded, api_key):
    response = post_with_media(client, api_key, media_url="https://img.example.org/pipe.jpg")
    case = filed(seeded, response)
    assert case.media_url == "https://img.example.org/pipe.jpg"
    [own] = get(client, f"requests/{case.reference}.json", key=api_key).get_json()
    assert own["media_url"] == "https://img.example.org/pipe.jpg"
