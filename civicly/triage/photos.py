"""Photos a citizen attaches to a report: checked from their bytes, re-encoded without any metadata, stored under
random names, shown only to the staff who may see the case, and deleted when the case is erased.

The type is sniffed by Pillow from the bytes, never taken from the file name or the declared type: whatever Pillow
cannot open as one of the accepted formats (a PDF renamed .jpg, an SVG, a truncated file) is refused, and so is an
image whose declared size would take gigabytes to decode (a decompression bomb). What is stored is a new image drawn
from the decoded pixels, turned upright, at most MAX_SIDE pixels wide or high, with no EXIF (no GPS position, no
camera serial), no ICC profile and no comment, plus a small thumbnail for the case page.
"""
from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import Session, col, select

from civicly.errors import CivicError, UnknownReference
from civicly.models import Case, Photo
from civicly.storage import NotStored, Storage, StorageError, StoredObject, current_storage
from civicly.text_cleaning import clean_text
from civicly.triage.permissions import Actor, find_visible_case

log = logging.getLogger(__name__)

try:  # HEIC/HEIF (most iPhones) where the optional pillow-heif is installed
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - depends on the installation
    HEIF_FORMATS: tuple[str, ...] = ()
else:
    register_heif_opener()
    HEIF_FORMATS = ("HEIF",)

MAX_PHOTOS = 3
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50-megapixel phone photo decodes to 150 MB; anything larger is refused before decoding
MAX_SIDE = 1600
THUMBNAIL_SIDE = 320
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", *HEIF_FORMATS)
STORED_TYPE = "image/jpeg"
JPEG_QUALITY = 82
FILENAME_SHOWN = 60


class PhotoRefused(CivicError):
    """One upload cannot be accepted; ``message`` says why, in the citizen's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class PhotoUpload:
    """A file as a citizen or a partner sent it: its bytes and the name their device gave (only shown back)."""

    data: bytes
    filename: str = ""


@dataclass(frozen=True)
class PreparedPhoto:
    """A checked, re-encoded photo, ready to store."""

    image: bytes
    thumbnail: bytes
    width: int
    height: int


@dataclass(frozen=True)
class PhotoView:
    """What the case page needs to show one photo."""

    id: int
    width: int
    height: int


class UploadedFile(Protocol):
    """A file part as the web framework hands it over (werkzeug's FileStorage)."""

    filename: str | None
    stream: BinaryIO


def uploads_from(files: Iterable[UploadedFile]) -> list[PhotoUpload]:
    """The files sent, each read to one byte past the limit (enough to refuse it). An empty file input sends one
    nameless, empty part: that is no photo."""
    found = []
    for part in files:
        data = part.stream.read(MAX_BYTES + 1)
        if data or part.filename:
            found.append(PhotoUpload(data, clean_text(part.filename or "")))
    return found


def prepare(upload: PhotoUpload | PreparedPhoto) -> PreparedPhoto:
    """The photo re-encoded without metadata, or PhotoRefused saying why not. A prepared photo is returned as is."""
    if isinstance(upload, PreparedPhoto):
        return upload
    if not upload.data:
        raise PhotoRefused(_l("The file is empty."))
    if len(upload.data) > MAX_BYTES:
        raise PhotoRefused(_l("The file is larger than %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
    try:
        picture = _decoded(upload.data)
    except Image.DecompressionBombError:
        raise PhotoRefused(_l("The image is too large to process (more than %(mp)d megapixels).",
                              mp=MAX_PIXELS // 1_000_000)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise PhotoRefused(_l("This file is not a photo we can read (JPEG, PNG, WebP or HEIC).")) from None
    return PreparedPhoto(image=_jpeg(picture), thumbnail=_jpeg(_thumbnail(picture)),
                         width=picture.width, height=picture.height)


def _decoded(data: bytes) -> Image.Image:
    """The pixels of ``data``, upright and at most MAX_SIDE a side, in a new image that carries no metadata."""
    with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as checked:
        _refuse_bombs(checked)
        checked.verify()  # structure and checksums; the image cannot be used after this
    with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as source:
        _refuse_bombs(source)
        source.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced scale when that is enough
        source.load()  # a truncated file fails here
        upright = ImageOps.exif_transpose(source)
        rgb = _on_white(upright)
    rgb.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)  # only the pixels: no EXIF, XMP, ICC profile or comment comes along
    return clean


def _refuse_bombs(image: Image.Image) -> None:
    if image.width * image.height > MAX_PIXELS:
        raise Image.DecompressionBombError(f"{image.width}x{image.height}")


def _on_white(image: Image.Image) -> Image.Image:
    """RGB; a transparent PNG or WebP is laid on white, as a person would see it on a page."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _thumbnail(picture: Image.Image) -> Image.Image:
    small = picture.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return small


def _jpeg(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def prepare_all(uploads: Sequence[PhotoUpload | PreparedPhoto]) -> tuple[list[PreparedPhoto], list[str]]:
    """Every photo prepared, and the reasons (one per refused file, naming it) the others were refused."""
    prepared, problems = [], []
    if len(uploads) > MAX_PHOTOS:
        problems.append(_l("Please attach at most %(n)d photos.", n=MAX_PHOTOS))
    for number, upload in enumerate(uploads[:MAX_PHOTOS], start=1):
        try:
            prepared.append(prepare(upload))
        except PhotoRefused as refused:
            name = getattr(upload, "filename", "")[:FILENAME_SHOWN] or _l("photo %(n)d", n=number)
            problems.append(_l("%(name)s: %(why)s", name=name, why=refused.message))
    return prepared, problems


def attach(session: Session, storage: Storage, case: Case, prepared: Sequence[PreparedPhoto]) -> list[Photo]:
    """Store the photos and their thumbnails and record them with the case (flushed, not committed).

    The case is stored first and never lost for a photo: a storage failure leaves it without the photos that could
    not be stored, and is logged.
    """
    rows = []
    for position, photo in enumerate(prepared):
        try:
            image_name = storage.put(photo.image, STORED_TYPE)
            thumbnail_name = storage.put(photo.thumbnail, STORED_TYPE)
        except StorageError:
            log.exception("a photo of case %s could not be stored; the case is kept without it", case.reference)
            continue
        row = Photo(case_id=case.id, position=position, image_name=image_name, thumbnail_name=thumbnail_name,
                    content_type=STORED_TYPE, width=photo.width, height=photo.height, byte_size=len(photo.image))
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def photos_of(session: Session, case_id: int) -> list[PhotoView]:
    """The case's photos in the order they were attached."""
    rows = session.exec(select(Photo).where(Photo.case_id == case_id).order_by(col(Photo.position), col(Photo.id)))
    return [PhotoView(p.id, p.width, p.height) for p in rows]


def read_photo(session: Session, storage: Storage, actor: Actor, reference: str, photo_id: int,
               thumbnail: bool = False) -> StoredObject:
    """A photo of a case this actor may see (officers of its ministry, triage while it waits there, admins);
    UnknownReference (raised by the permission check, or here) otherwise, so nobody learns that it exists."""
    case = find_visible_case(session, actor, reference)
    photo = session.get(Photo, photo_id)
    if photo is None or photo.case_id != case.id:
        raise UnknownReference(reference)
    try:
        return storage.get(photo.thumbnail_name if thumbnail else photo.image_name)
    except NotStored:
        raise UnknownReference(reference) from None


def cases_with_photos(session: Session, case_ids: Sequence[int]) -> set[int]:
    """Which of ``case_ids`` have at least one photo."""
    if not case_ids:
        return set()
    return set(session.exec(select(Photo.case_id).where(col(Photo.case_id).in_(list(case_ids))).distinct()).all())


def nth_photo(session: Session, case_id: int, number: int) -> Photo | None:
    """The case's ``number``-th photo (from 1) in the order they were attached, if it has that many."""
    if number < 1:
        return None
    return session.exec(select(Photo).where(Photo.case_id == case_id)
                        .order_by(col(Photo.position), col(Photo.id)).offset(number - 1).limit(1)).first()


def delete_photos(session: Session, case: Case, storage: Storage | None = None) -> int:
    """Delete the case's photos from ``storage`` (the application's by default) and their rows (erasure); returns
    how many there were.

    A file the storage cannot delete now is logged and its row removed anyway: the case no longer points to it.
    """
    rows = list(session.exec(select(Photo).where(Photo.case_id == case.id)))
    if rows and storage is None:
        storage = current_storage()
    for row in rows:
        for name in (row.image_name, row.thumbnail_name):
            try:
                storage.delete(name)
            except StorageError:
                log.exception("a photo file of case %s could not be deleted from storage", case.reference)
        session.delete(row)
    session.flush()
    return len(rows)
