"""Photos of a virtual-card application: what is taken, what comes out, what is refused."""

from __future__ import annotations

import io
import stat
import struct
import zlib

import pillow_heif
import pytest
from django.core.files.storage import FileSystemStorage, storages
from django.http import Http404
from django.utils import translation
from PIL import ExifTags, Image, ImageCms

from healthbank.files import images
from healthbank.files.images import ImageRefused, clean_image
from healthbank.files.tests.stores import stored_names

pillow_heif.register_heif_opener()


@pytest.fixture(autouse=True)
def vcard_dir(settings, tmp_path):
    settings.VCARD_DIR = tmp_path / "vcard"
    settings.VCARD_MAX_UPLOAD_BYTES = 10 * 1024**2
    settings.VCARD_MAX_PIXELS = 40_000_000
    return settings.VCARD_DIR


def photo(size=(800, 600), mode="RGB", color="steelblue") -> Image.Image:
    return Image.new(mode, size, color)


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def refusal(data: bytes, max_side: int = 1600) -> str:
    with pytest.raises(ImageRefused) as caught:
        clean_image(data, max_side=max_side)
    return caught.value.code


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height (one bit per pixel) but carries almost no data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


# --- what is taken --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "HEIF"])
def test_jpeg_png_and_heic_come_back_as_jpeg_of_the_same_size(fmt):
    out = opened(clean_image(encode(photo((800, 600)), fmt), max_side=1600))
    assert (out.format, out.mode, out.size) == ("JPEG", "RGB", (800, 600))


def test_transparent_png_is_flattened_on_white():
    image = photo((400, 300), mode="RGBA", color=(0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (0, 0, 200, 300))
    out = opened(clean_image(encode(image, "PNG"), max_side=1600))
    assert out.size == (400, 300)
    assert all(c > 245 for c in out.getpixel((350, 150)))  # transparent half: white, not black
    red, green, blue = out.getpixel((50, 150))
    assert red > 180 and green < 30 and blue < 30


def test_large_photo_is_shrunk_to_max_side_keeping_its_shape():
    out = opened(clean_image(encode(photo((4000, 3000)), "JPEG"), max_side=1600))
    assert out.size == (1600, 1200)


def test_small_photo_is_never_enlarged():
    out = opened(clean_image(encode(photo((300, 250)), "PNG"), max_side=1600))
    assert out.size == (300, 250)


def test_gps_camera_icc_xmp_and_comment_do_not_survive():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Google"
    exif[ExifTags.Base.Model] = "Pixel 9 Pro"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (25.0, 2.0, 0.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (121.0, 33.0, 0.0),
    }
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">Taipei 101</x:xmpmeta>'
    upload = encode(photo(), "JPEG", exif=exif, icc_profile=icc, xmp=xmp, comment="home address")
    assert opened(upload).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the upload does carry them

    data = clean_image(upload, max_side=1600)
    out = opened(data)
    assert not out.getexif()
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(out.info)
    for trace in (b"Exif", b"Pixel 9 Pro", b"Taipei 101", b"home address", b"sRGB"):
        assert trace not in data


def test_photo_taken_with_phone_turned_comes_out_upright():
    # Stored 400 wide, 300 high, a red block top left; orientation 6: turn 90° clockwise.
    image = photo((400, 300), color="white")
    image.paste((255, 0, 0), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    out = opened(clean_image(encode(image, "JPEG", exif=exif), max_side=1600))
    assert out.size == (300, 400)
    assert out.getpixel((250, 50))[0] > 200 and out.getpixel((250, 50))[1] < 60  # top right
    assert out.getpixel((50, 50))[1] > 200  # top left is white now


def test_heic_taken_with_phone_turned_comes_out_upright():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    # Given EXIF as bytes, pillow_heif records the turn in an irot box, as a phone does.
    upload = encode(photo((400, 300)), "HEIF", exif=exif.tobytes())
    assert b"irot" in upload
    out = opened(clean_image(upload, max_side=1600))
    assert out.size == (300, 400)


# --- what is refused ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"Name,ID\nWang,A123456789\n" * 40, "not_image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 10, "not_image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"/>', "not_image"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(2000), "not_image"),  # a program named .jpg
        (encode(photo(), "GIF"), "unsupported_format"),
        (encode(photo(), "WEBP"), "unsupported_format"),
        (encode(photo(), "BMP"), "unsupported_format"),
        (encode(photo(), "TIFF"), "unsupported_format"),
        (encode(photo(), "AVIF"), "unsupported_format"),
    ],
    ids=["text", "pdf", "svg", "exe", "gif", "webp", "bmp", "tiff", "avif"],
)
def test_anything_but_jpeg_png_or_heic_is_refused(data, code):
    assert refusal(data) == code


def test_file_over_the_upload_limit_is_refused_before_decoding(settings):
    settings.VCARD_MAX_UPLOAD_BYTES = 2 * 1024**2
    # Not an image at all: decoding would have said not_image.
    assert refusal(b"\x00" * (2 * 1024**2 + 1)) == "too_large"
    with translation.override("en"):
        with pytest.raises(ImageRefused) as caught:
            clean_image(b"\x00" * (2 * 1024**2 + 1), max_side=1600)
        assert "larger than 2 MB" in str(caught.value.message)


def test_file_at_the_upload_limit_is_taken(settings):
    data = encode(photo(), "PNG")
    settings.VCARD_MAX_UPLOAD_BYTES = len(data)
    assert opened(clean_image(data, max_side=1600)).size == (800, 600)


def test_more_pixels_than_allowed_is_refused_from_the_header(settings):
    settings.VCARD_MAX_PIXELS = 1_000_000
    assert refusal(encode(photo((1200, 1000)), "JPEG")) == "too_many_pixels"
    assert refusal(encode(photo((1200, 1000)), "HEIF")) == "too_many_pixels"


def test_decompression_bomb_is_refused_without_decoding():
    bomb = png_header_only(20_000, 20_000)  # 400 million pixels in about a hundred bytes
    assert len(bomb) < 200
    assert refusal(bomb) == "too_many_pixels"


@pytest.mark.parametrize("side", [10_000, 20_000])  # over Pillow's warning, over its error
def test_pillows_own_bomb_guard_holds_when_our_limit_is_raised(settings, side):
    settings.VCARD_MAX_PIXELS = 10**9
    max_image_pixels = Image.MAX_IMAGE_PIXELS
    assert refusal(png_header_only(side, side)) == "too_many_pixels"
    assert Image.MAX_IMAGE_PIXELS == max_image_pixels  # the global limit was left alone


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "HEIF"])
def test_truncated_photo_is_refused_as_damaged(fmt):
    noise = Image.effect_noise((800, 600), 64).convert("RGB")
    data = encode(noise, fmt)
    assert refusal(data[: len(data) // 2]) == "damaged"


def test_photo_too_small_to_recognise_is_refused():
    assert refusal(encode(photo((640, 150)), "JPEG")) == "too_small"
    assert opened(clean_image(encode(photo((640, 200)), "JPEG"), max_side=1600)).size == (640, 200)


def test_every_refusal_tells_what_to_do_next():
    with translation.override("en"):
        for code in images.MESSAGES:
            message = str(ImageRefused(code, megabytes=10, megapixels=40, pixels=200).message)
            assert any(word in message for word in ("Upload", "Take")), code


# --- where photos are kept ------------------------------------------------------------------


@pytest.mark.django_db  # a database storage keeps them in rows
def test_store_read_delete_round_trip(vcard_dir):
    data = clean_image(encode(photo(), "JPEG"), max_side=1600)
    name = images.store(data)
    assert images.NAME.fullmatch(name)
    assert images.read(name) == data
    assert stored_names("vcard") == [name]  # no temporary file left behind
    images.delete(name)
    with pytest.raises(Http404):
        images.read(name)
    images.delete(name)  # already gone: fine


@pytest.mark.django_db  # a database storage keeps them in rows
def test_photos_on_disk_are_readable_by_the_servers_user_alone(vcard_dir):
    if not isinstance(storages["vcard"], FileSystemStorage):
        pytest.skip("FILE_STORAGE=database: no photo on disk")
    name = images.store(b"photo")
    assert stat.S_IMODE((vcard_dir / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(vcard_dir.stat().st_mode) == 0o700


@pytest.mark.django_db  # a database storage keeps them in rows
def test_each_stored_photo_gets_its_own_name():
    assert images.store(b"one") != images.store(b"two")


@pytest.mark.parametrize(
    "name",
    [
        "../etc/passwd",
        "/etc/passwd",
        "../" + "a" * 32 + ".jpg",
        "A" * 32 + ".jpg",
        "a" * 32 + ".jpg\n",
        "a" * 32 + ".png",
        "",
    ],
)
def test_names_store_cannot_give_are_refused(tmp_path, vcard_dir, name):
    vcard_dir.mkdir()
    (tmp_path / ("a" * 32 + ".jpg")).write_bytes(b"outside")
    with pytest.raises(Http404):
        images.read(name)
    with pytest.raises(Http404):
        images.delete(name)
    assert (tmp_path / ("a" * 32 + ".jpg")).exists()


@pytest.mark.django_db  # a database storage keeps them in rows
def test_missing_photo_is_not_found(vcard_dir):
    with pytest.raises(Http404):
        images.read("0" * 32 + ".jpg")
