"""Photo checks: real images only, at most 10 MB and 5 per return, no metadata kept."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from retour.core.errors import ValidationFailed
from retour.returns.models import ReturnPhoto
from retour.returns.photos import MAX_BYTES, allowed_formats, photo_prepare, photos_add
from retour.returns.services import LineRequest, return_create


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def image_bytes(
    fmt: str = "JPEG", size=(64, 48), mode="RGB", exif: Image.Exif | None = None, **options
) -> bytes:
    buffer = BytesIO()
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    if exif is not None:
        options["exif"] = exif
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0132] = "2026:01:02 03:04:05"  # DateTime
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}  # GPS
    if orientation:
        exif[0x0112] = orientation
    return exif


def _code(exc) -> str:
    assert exc.value.code == "validation_error"
    (error,) = exc.value.errors
    return error["code"]


@pytest.fixture
def return_request(store, make_order, customer_actor):
    order = make_order("1001")
    line = order.lines.get()
    return return_create(
        order=order, actor=customer_actor, channel="portal", lines=[LineRequest(line.id, 1, "defective")]
    )


# Checks on one upload ---------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_jpeg_png_and_webp_are_accepted_in_their_own_format(fmt, extension):
    photo = photo_prepare(upload(image_bytes(fmt)))

    assert photo.extension == extension
    assert (photo.width, photo.height) == (64, 48)
    assert Image.open(BytesIO(photo.content)).format == fmt


def test_the_reencoded_photo_keeps_no_exif_and_no_gps_position():
    original = image_bytes("JPEG", exif=gps_exif())
    assert b"SpyCam" in original

    photo = photo_prepare(upload(original))

    assert b"SpyCam" not in photo.content and b"Exif" not in photo.content
    assert len(Image.open(BytesIO(photo.content)).getexif()) == 0
    assert b"SpyCam" not in photo.thumbnail


def test_png_text_chunks_are_dropped():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "home address 1 rue secrete")

    photo = photo_prepare(upload(image_bytes("PNG", pnginfo=info), "p.png", "image/png"))

    assert b"rue secrete" not in photo.content


def test_the_exif_orientation_is_applied_to_the_pixels():
    photo = photo_prepare(upload(image_bytes("JPEG", size=(80, 20), exif=gps_exif(orientation=6))))

    assert (photo.width, photo.height) == (20, 80)


def test_a_thumbnail_is_made_as_a_small_jpeg():
    photo = photo_prepare(upload(image_bytes("PNG", size=(1200, 900), mode="RGBA"), "p.png", "image/png"))

    thumb = Image.open(BytesIO(photo.thumbnail))
    assert thumb.format == "JPEG"
    assert max(thumb.size) == 400


def test_a_text_file_named_like_a_picture_is_not_an_image():
    with pytest.raises(ValidationFailed) as exc:
        photo_prepare(upload(b"this is not a picture at all", "cat.jpg"))

    assert _code(exc) == "not_an_image"
    assert exc.value.errors[0]["code"] == "not_an_image"


def test_a_truncated_image_is_not_an_image():
    data = image_bytes("PNG", size=(300, 300))

    with pytest.raises(ValidationFailed) as exc:
        photo_prepare(upload(data[: len(data) // 2], "cut.png"))

    assert _code(exc) == "not_an_image"


def test_an_image_in_a_format_we_do_not_take_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        photo_prepare(upload(image_bytes("GIF", mode="P"), "a.gif", "image/gif"))

    assert _code(exc) == "not_an_image"


def test_a_file_over_10_mb_is_refused_before_it_is_read():
    big = SimpleUploadedFile("big.jpg", b"\0" * (MAX_BYTES + 1), content_type="image/jpeg")

    with pytest.raises(ValidationFailed) as exc:
        photo_prepare(big)

    assert _code(exc) == "image_too_large"


def test_a_stream_over_10_mb_without_a_size_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        photo_prepare(BytesIO(b"\0" * (MAX_BYTES + 1)))

    assert _code(exc) == "image_too_large"


def test_a_decompression_bomb_is_refused(monkeypatch):
    monkeypatch.setattr("retour.returns.photos.MAX_PIXELS", 100 * 100)

    with pytest.raises(ValidationFailed) as exc:
        photo_prepare(upload(image_bytes("PNG", size=(200, 200)), "bomb.png"))

    assert _code(exc) == "too_many_pixels"


def png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes whose PNG header announces ``width`` × ``height`` pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = zlib.compress(b"\0" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [7_000, 30_000])
def test_a_small_file_with_too_many_pixels_is_refused_from_its_header(side):
    with pytest.raises(ValidationFailed) as exc:
        photo_prepare(upload(png_claiming(side, side), "huge.png", "image/png"))

    assert _code(exc) == "too_many_pixels"
    assert "too many pixels" in str(exc.value.errors[0]["message"])
    assert "10 MB" not in str(exc.value.errors[0]["message"])


def test_a_large_photo_gets_its_thumbnail_by_reduction():
    photo = photo_prepare(upload(image_bytes("JPEG", size=(4000, 3000)), "big.jpg"))

    thumb = Image.open(BytesIO(photo.thumbnail))
    assert thumb.size == (400, 300)
    assert (photo.width, photo.height) == (4000, 3000)


def test_an_iphone_heic_photo_is_accepted_and_stored_as_jpeg():
    from pillow_heif import from_pillow

    buffer = BytesIO()
    from_pillow(Image.new("RGB", (64, 48), (10, 120, 200))).save(buffer, quality=80)

    photo = photo_prepare(upload(buffer.getvalue(), "IMG_0001.HEIC", "image/heic"))

    assert "HEIF" in allowed_formats()
    assert photo.extension == "jpg"
    assert Image.open(BytesIO(photo.content)).format == "JPEG"


# Storing on a return ----------------------------------------------------------------------------


def test_photos_are_stored_on_the_return_and_its_line(return_request):
    line = return_request.lines.get()

    rows = photos_add(
        return_request=return_request,
        return_line=line,
        photos=[upload(image_bytes()), upload(image_bytes("PNG"))],
    )

    assert len(rows) == 2
    stored = ReturnPhoto.objects.filter(return_request=return_request, return_line=line)
    assert stored.count() == 2
    first = stored.first()
    assert first.image.name.endswith(".jpg") and first.thumbnail.name.endswith(".jpg")
    assert Image.open(first.image.path).size == (64, 48)
    assert (first.width, first.height) == (64, 48)


def test_a_sixth_photo_is_refused_and_nothing_of_that_batch_is_stored(return_request):
    photos_add(return_request=return_request, photos=[upload(image_bytes()) for _ in range(4)])

    with pytest.raises(ValidationFailed) as exc:
        photos_add(return_request=return_request, photos=[upload(image_bytes()), upload(image_bytes())])

    assert _code(exc) == "too_many_photos"
    assert ReturnPhoto.objects.filter(return_request=return_request).count() == 4


def test_one_bad_file_in_a_batch_stores_none_of_it(return_request):
    with pytest.raises(ValidationFailed) as exc:
        photos_add(return_request=return_request, photos=[upload(image_bytes()), upload(b"nope", "x.jpg")])

    assert _code(exc) == "not_an_image"
    assert exc.value.errors[0]["loc"] == ["photos", 1]
    assert not ReturnPhoto.objects.filter(return_request=return_request).exists()


def test_a_line_of_another_return_is_refused(return_request, make_order, customer_actor):
    order = make_order("1002")
    other = return_create(
        order=order, actor=customer_actor, lines=[LineRequest(order.lines.get().id, 1, "too_small")]
    )

    with pytest.raises(ValidationFailed):
        photos_add(
            return_request=return_request, return_line=other.lines.get(), photos=[upload(image_bytes())]
        )
