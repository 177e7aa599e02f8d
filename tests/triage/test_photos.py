"""Photos checked from their bytes and re-encoded without metadata; erased with their case on request, kept by the
retention purge."""
from datetime import timedelta

import pytest
from sqlmodel import select

from civicly.models import Case, Photo
from civicly.models.timestamps import utcnow
from civicly.storage import LocalStorage, NotStored
from civicly.triage import erasure, photos, retention
from civicly.triage.intake import SubmissionInput, submit
from tests import images


def test_a_phone_photo_loses_every_metadata_and_is_turned_upright():
    prepared = photos.prepare(photos.PhotoUpload(images.phone_photo(2000, 1500), "IMG_1.jpg"))
    image, thumbnail = images.metadata_of(prepared.image), images.metadata_of(prepared.thumbnail)
    assert image["exif"] == {} and image["info"] == {} and thumbnail["exif"] == {}
    assert image["size"] == (1200, 1600) == (prepared.width, prepared.height)
    assert max(thumbnail["size"]) == photos.THUMBNAIL_SIDE
    assert b"PhoneMaker" not in prepared.image and b"taken at home" not in prepared.image


def test_a_transparent_png_becomes_a_jpeg_on_white():
    prepared = photos.prepare(photos.PhotoUpload(images.png(transparent=True)))
    assert images.metadata_of(prepared.image)["format"] == "JPEG"


@pytest.mark.parametrize("data", [images.PDF, images.SVG, images.truncated_jpeg(), b"GIF89a" + b"\0" * 20],
                         ids=["pdf named .jpg", "svg with script", "truncated jpeg", "gif"])
def test_anything_but_a_readable_photo_is_refused(data):
    with pytest.raises(photos.PhotoRefused, match="not a photo we can read"):
        photos.prepare(photos.PhotoUpload(data, "photo.jpg"))


def test_a_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(photos.PhotoRefused, match="too large to process"):
        photos.prepare(photos.PhotoUpload(images.bomb()))


def test_files_over_5_mb_and_empty_ones_are_refused():
    with pytest.raises(photos.PhotoRefused, match="larger than 5 MB"):
        photos.prepare(photos.PhotoUpload(b"\xff" * (photos.MAX_BYTES + 1)))
    with pytest.raises(photos.PhotoRefused, match="empty"):
        photos.prepare(photos.PhotoUpload(b""))


def file_with_photos(session, storage, count=2, **fields) -> Case:
    uploads = [photos.PhotoUpload(images.png()) for _ in range(count)]
    case = submit(session, SubmissionInput(text="The market drain overflows onto the road.", photos=uploads,
                                           department_code="SANTE", **fields), route=lambda _t: None,
                  storage=storage)
    session.commit()
    return case


def stored_names(session, case) -> list[str]:
    rows = session.exec(select(Photo).where(Photo.case_id == case.id)).all()
    return [name for row in rows for name in (row.image_name, row.thumbnail_name)]


def test_erasure_deletes_the_photos_and_the_retention_purge_keeps_them(seeded, tmp_path):
    storage = LocalStorage(tmp_path / "photos")
    erased, purged = file_with_photos(seeded, storage), file_with_photos(seeded, storage)
    names = stored_names(seeded, erased)
    assert len(names) == 4 and all(storage.get(name).content_type == "image/jpeg" for name in names)

    result = erasure.erase_case(seeded, erased, "cli:test", storage=storage)
    seeded.commit()
    assert result.photos == 2 and stored_names(seeded, erased) == []
    for name in names:
        with pytest.raises(NotStored):
            storage.get(name)

    kept = stored_names(seeded, purged)
    purged.status = "resolved"
    purged.updated_at = utcnow() - timedelta(days=400)
    seeded.add(purged)
    seeded.commit()
    assert retention.purge_closed_cases(seeded, utcnow() - timedelta(days=365), "cli:test") == 1
    seeded.commit()
    assert seeded.get(Case, purged.id).erased_at is not None
    assert stored_names(seeded, purged) == kept and all(storage.get(name) for name in kept)


def test_a_storage_failure_never_loses_the_report(seeded, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the folder should be")
    case = file_with_photos(seeded, LocalStorage(blocked / "photos"), count=1)
    assert seeded.get(Case, case.id).text.startswith("The market drain") and stored_names(seeded, case) == []


def test_an_iphone_heic_photo_is_accepted_where_pillow_heif_is_installed():
    pytest.importorskip("pillow_heif")
    import io

    from PIL import Image

    heic = io.BytesIO()
    Image.new("RGB", (640, 480), "blue").save(heic, "HEIF")
    prepared = photos.prepare(photos.PhotoUpload(heic.getvalue(), "IMG_0001.HEIC"))
    assert images.metadata_of(prepared.image)["format"] == "JPEG" and (prepared.width, prepared.height) == (640, 480)
