"""Photos of returned items: checked to be real images, re-encoded without metadata, thumbnailed.

An upload is never stored as sent. Pillow first verifies the file's structure, then decodes
every pixel (a file that only looks like an image fails here), and the pixels are written
again into a new file: EXIF (camera, GPS position, dates), XMP and comments do not survive;
only the colour profile and transparency are kept. The orientation that EXIF carried is
applied to the pixels first, so the photo still stands the right way up.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # iPhone photos (HEIC): decoded by libheif through pillow-heif
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - pillow-heif is a dependency; HEIC is then simply refused
    pass
else:
    register_heif_opener()

from retour.core import clock
from retour.core.actors import Actor
from retour.core.errors import ValidationFailed, line_error
from retour.returns.models import PhotoSource, ReturnLine, ReturnPhoto, ReturnRequest

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 5
MAX_RECEIVED_ITEM_PHOTOS = 5  # per line of a return, taken by staff
# A 10 MB file can still unpack into gigabytes (a 190 KB PNG of 7 000 × 7 000 pixels took 815 MB
# and 6 s to decode): the size is read from the header and refused beyond this, before decoding.
MAX_PIXELS = 40_000_000
THUMBNAIL_SIZE = (400, 400)
# Pillow format → (format written, file extension). HEIC is accepted only when a Pillow plugin
# (pillow-heif) can read it, and is written as JPEG, which every browser shows.
_OUTPUT = {"JPEG": ("JPEG", "jpg"), "PNG": ("PNG", "png"), "WEBP": ("WEBP", "webp"), "HEIF": ("JPEG", "jpg")}
_KEPT_INFO = ("icc_profile", "transparency")


@dataclass(frozen=True)
class PreparedPhoto:
    """A checked, re-encoded image and its JPEG thumbnail, ready to be stored."""

    content: bytes
    extension: str
    width: int
    height: int
    thumbnail: bytes


def allowed_formats() -> list[str]:
    """The formats accepted here: JPEG, PNG, WebP, and HEIC when Pillow can decode it."""
    Image.init()
    return [name for name in _OUTPUT if name in Image.OPEN]


def _refuse(code: str, message: Any, index: int | None = None) -> ValidationFailed:
    loc: list[Any] = ["photos"] if index is None else ["photos", index]
    # top-level code validation_error (documented); the precise reason is the field's code
    return ValidationFailed(message, errors=[line_error(loc, code, message)])


def _read(upload: IO[bytes] | Any, index: int | None) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _refuse("image_too_large", _("A photo may be at most 10 MB."), index)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse("image_too_large", _("A photo may be at most 10 MB."), index)
    return data


def _too_many_pixels(index: int | None) -> ValidationFailed:
    return _refuse(
        "too_many_pixels",
        _("This picture has too many pixels: at most %(megapixels)s megapixels.")
        % {"megapixels": MAX_PIXELS // 1_000_000},
        index,
    )


def _decode(data: bytes, index: int | None) -> tuple[Image.Image, str]:
    formats = allowed_formats()
    not_an_image = _refuse(
        "not_an_image", _("This file is not a picture we can read (JPEG, PNG, WebP or HEIC)."), index
    )
    try:
        with Image.open(BytesIO(data), formats=formats) as probe:  # reads the header only
            if probe.width * probe.height > MAX_PIXELS:
                raise _too_many_pixels(index)
            probe.verify()  # structure and checksums, without decoding
        image = Image.open(BytesIO(data), formats=formats)
        image.load()  # decode every pixel: truncated or forged data fails here
    except Image.DecompressionBombError:  # Pillow's own guard, at twice its MAX_IMAGE_PIXELS
        raise _too_many_pixels(index) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_an_image from None
    return image, image.format or ""


def _clean(image: Image.Image, fmt: str) -> Image.Image:
    """The pixels, upright, with only the colour profile and transparency as metadata."""
    kept: dict[str | tuple[int, int], Any] = {k: image.info[k] for k in _KEPT_INFO if k in image.info}
    upright = ImageOps.exif_transpose(image) or image
    out_format = _OUTPUT[fmt][0]
    if out_format == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
        kept.pop("transparency", None)
    elif out_format == "WEBP" and upright.mode not in ("RGB", "RGBA"):
        upright = upright.convert("RGBA" if "A" in upright.getbands() or "transparency" in kept else "RGB")
        kept.pop("transparency", None)
    clean = upright.copy()
    clean.info = kept
    return clean


def _encode(image: Image.Image, out_format: str) -> bytes:
    buffer = BytesIO()
    options: dict[str, Any] = (
        {"icc_profile": image.info.get("icc_profile")} if "icc_profile" in image.info else {}
    )
    if out_format == "JPEG":
        options.update(quality=88, optimize=True)
    elif out_format == "WEBP":
        options.update(quality=88)
    elif out_format == "PNG":
        options.update(optimize=True)
        if "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
    image.save(buffer, format=out_format, **options)
    return buffer.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    # reduce() first (a box average by a whole factor: cheap, little memory), then resample
    source = image if image.mode in ("RGB", "RGBA", "L", "LA") else image.convert("RGBA")
    factor = max(1, min(source.width // THUMBNAIL_SIZE[0], source.height // THUMBNAIL_SIZE[1]) // 2)
    thumb = source.reduce(factor) if factor > 1 else source.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    if thumb.mode != "RGB":
        background = Image.new("RGB", thumb.size, "white")
        rgba = thumb.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        thumb = background
    buffer = BytesIO()
    thumb.save(buffer, format="JPEG", quality=80, optimize=True)
    return buffer.getvalue()


def photo_prepare(upload: IO[bytes] | Any, *, index: int | None = None) -> PreparedPhoto:
    """Check one upload and re-encode it; ValidationFailed ``not_an_image`` / ``image_too_large`` /
    ``too_many_pixels``.

    ``index`` places the error in the form's list of photos.
    """
    data = _read(upload, index)
    image, fmt = _decode(data, index)
    with image:
        clean = _clean(image, fmt)
    out_format, extension = _OUTPUT[fmt]
    return PreparedPhoto(
        content=_encode(clean, out_format),
        extension=extension,
        width=clean.width,
        height=clean.height,
        thumbnail=_thumbnail(clean),
    )


def photos_check_count(*, existing: int, adding: int) -> None:
    """ValidationFailed ``too_many_photos`` when a return would hold more than ``MAX_PHOTOS``."""
    if existing + adding > MAX_PHOTOS:
        raise _refuse("too_many_photos", _("A return may have at most 5 photos."))


@transaction.atomic
def photos_add(
    *,
    return_request: ReturnRequest,
    photos: Sequence[PreparedPhoto | IO[bytes] | Any],
    return_line: ReturnLine | None = None,
) -> list[ReturnPhoto]:
    """Store photos on a return (and optionally one of its lines), at most ``MAX_PHOTOS`` per return.

    Uploads are checked and re-encoded with ``photo_prepare``; already prepared photos are
    stored as they are. Nothing is stored when any photo is refused.
    """
    ReturnRequest.objects.select_for_update().filter(pk=return_request.pk).values_list(
        "pk", flat=True
    ).first()
    if return_line is not None and return_line.return_request_id != return_request.pk:
        raise ValidationFailed(
            _("This line is not part of the return."),
            errors=[line_error(["return_line"], "unknown_line", _("This line is not part of the return."))],
        )
    photos_check_count(
        existing=ReturnPhoto.objects.filter(return_request=return_request).count(), adding=len(photos)
    )
    prepared = [
        p if isinstance(p, PreparedPhoto) else photo_prepare(p, index=i) for i, p in enumerate(photos)
    ]
    return [_store(return_request, return_line, photo) for photo in prepared]


@transaction.atomic
def received_item_photos_add(
    *,
    return_request: ReturnRequest,
    line_id: int,
    photos: Sequence[IO[bytes] | Any],
    actor: Actor,
    now: Any = None,
) -> list[ReturnPhoto]:
    """Photos staff take of a received item while receiving or grading it, on one line of the
    return: checked and re-encoded as the shopper's are (``photo_prepare``), at most
    ``MAX_RECEIVED_ITEM_PHOTOS`` per line, once units of that line have arrived. Written to the
    audit trail; nothing is stored when any photo is refused."""
    from retour.returns.services import return_event_add, return_lock

    now = now or clock.now()
    rr = return_lock(return_request)
    line = ReturnLine.objects.filter(return_request=rr, pk=line_id).first()
    if line is None:
        message = _("This line is not part of the return.")
        raise ValidationFailed(message, errors=[line_error(["line"], "unknown_line", message)])
    if line.received_quantity < 1:
        message = _("Receive the item before adding photos of it.")
        raise ValidationFailed(message, errors=[line_error(["line"], "not_received", message)])
    if not photos:
        raise _refuse("required", _("Choose at least one photo."))
    taken = ReturnPhoto.objects.filter(return_line=line, source=PhotoSource.RECEIVED_ITEM).count()
    if taken + len(photos) > MAX_RECEIVED_ITEM_PHOTOS:
        raise _refuse(
            "too_many_photos",
            _("An item may have at most %(n)s photos.") % {"n": MAX_RECEIVED_ITEM_PHOTOS},
        )
    prepared = [photo_prepare(p, index=i) for i, p in enumerate(photos)]
    rows = [_store(rr, line, photo, source=PhotoSource.RECEIVED_ITEM) for photo in prepared]
    return_event_add(
        rr,
        action="photos_added",
        from_status=rr.status,
        actor=actor,
        now=now,
        data={"line": line.pk, "count": len(rows)},
    )
    return rows


def _store(
    return_request: ReturnRequest,
    return_line: ReturnLine | None,
    photo: PreparedPhoto,
    *,
    source: str = PhotoSource.CUSTOMER,
) -> ReturnPhoto:
    name = uuid.uuid4().hex
    row = ReturnPhoto(
        return_request=return_request,
        return_line=return_line,
        width=photo.width,
        height=photo.height,
        source=source,
    )
    row.image.save(f"{name}.{photo.extension}", ContentFile(photo.content), save=False)
    row.thumbnail.save(f"{name}.jpg", ContentFile(photo.thumbnail), save=False)
    row.save()
    return row
