"""Photos people upload: a virtual-card application's identity document and portrait (seed
004), an NHI card application's ID photo, the receipts of a reimbursement claim. Owns their
intake (only real JPEG, PNG or HEIC images within size and pixel limits, re-encoded as a JPEG
that carries nothing but pixels) and their private storage: the "vcard" storage (VCARD_DIR)
by default, or another a caller names ("eservice"); on disk or in the database."""

from __future__ import annotations

import io
import re
import secrets
import warnings

import pillow_heif
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.http import Http404
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

ACCEPTED = ["JPEG", "PNG", "HEIF"]
# Ours: below this a face or a document's print cannot be made out.
MIN_SIDE = 200
JPEG_QUALITY = 85
NAME = re.compile(r"[0-9a-f]{32}\.jpg")

MESSAGES = {
    "not_image": _("This file is not a photo. Upload a JPEG, PNG or HEIC photo."),
    "unsupported_format": _(
        "Photos in this format are not accepted. Upload a JPEG, PNG or HEIC photo "
        "(a phone camera saves one of these)."
    ),
    "too_large": _(
        "The photo is larger than %(megabytes)d MB. Take it again at a lower resolution "
        "or upload a smaller copy."
    ),
    "too_many_pixels": _(
        "The photo has more than %(megapixels)d million pixels. Take it again at a lower "
        "resolution or upload a smaller copy."
    ),
    "too_small": _(
        "The photo is too small to recognise a face or a document. Take it again closer, "
        "at least %(pixels)d pixels on its shorter side."
    ),
    "damaged": _(
        "The photo could not be read; it may be damaged or only partly uploaded. "
        "Upload it again, or take a new one."
    ),
}


def _formatted(message: Promise, params: dict[str, int]) -> str:
    return str(message) % params


class ImageRefused(Exception):
    """An upload that is not taken; `code` for programs, `message` (lazy) for the person."""

    def __init__(self, code: str, **params: int) -> None:
        super().__init__(code)
        self.code = code
        # Formatted when shown, so in the language of whoever reads it.
        self.message = lazy(_formatted, str)(MESSAGES[code], params)


def _signature(data: bytes) -> str | None:
    """The image format the first bytes announce, only to tell a damaged photo or a format
    we do not take from something that is no image at all."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[4:8] == b"ftyp":  # HEIC, or AVIF and other ISO media files
        return "HEIF" if data[8:12] in {b"heic", b"heix", b"heim", b"heis", b"mif1"} else "other"
    gif_bmp_tiff = (b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")
    if data.startswith(gif_bmp_tiff) or (data.startswith(b"RIFF") and data[8:12] == b"WEBP"):
        return "other"
    return None


def _too_many_pixels() -> ImageRefused:
    limit = min(settings.VCARD_MAX_PIXELS, Image.MAX_IMAGE_PIXELS or settings.VCARD_MAX_PIXELS)
    return ImageRefused("too_many_pixels", megapixels=limit // 10**6)


def clean_image(data: bytes, *, max_side: int) -> bytes:
    """Decode an uploaded photo and return it re-encoded as a JPEG without metadata: upright,
    RGB on white, its longest side at most `max_side`. Raises ImageRefused."""
    limit = settings.VCARD_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise ImageRefused("too_large", megabytes=limit // 1024**2)
    with warnings.catch_warnings():
        # Pillow's own bomb guard refuses too, whatever VCARD_MAX_PIXELS says.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image: Image.Image = Image.open(io.BytesIO(data), formats=ACCEPTED)
            width, height = image.size  # from the header: nothing is decoded yet
            if width * height > settings.VCARD_MAX_PIXELS:
                raise _too_many_pixels()
            if min(width, height) < MIN_SIDE:
                raise ImageRefused("too_small", pixels=MIN_SIDE)
            # A large JPEG is decoded straight at 1/2, 1/4 or 1/8 if still twice max_side.
            image.draft(None, (2 * max_side, 2 * max_side))
            image.load()
            image = ImageOps.exif_transpose(image)  # a photo taken upright stays upright
        except UnidentifiedImageError:
            kind = _signature(data)
            code = "damaged" if kind in ACCEPTED else "unsupported_format" if kind else "not_image"
            raise ImageRefused(code) from None
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise _too_many_pixels() from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise ImageRefused("damaged") from None
    image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)  # never enlarges
    # A new image has no info: no EXIF (GPS, camera), ICC, XMP or comment reaches the output.
    clean = Image.new("RGB", image.size, "white")
    clean.paste(image, mask=image if image.mode == "RGBA" else None)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def _checked(name: str) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise Http404
    return name


def store(data: bytes, *, storage_name: str = "vcard") -> str:
    """Keep a cleaned photo in a private storage (on disk: owner-only) and return its new
    random name. It is written whole or not at all (a database storage's transaction; on
    disk, deleted when the write fails)."""
    storage = storages[storage_name]
    name = f"{secrets.token_hex(16)}.jpg"
    try:
        return storage.save(name, ContentFile(data))
    except BaseException:
        storage.delete(name)
        raise


def open_photo(name: str, *, storage_name: str = "vcard") -> File[bytes]:
    """A stored photo opened for reading (to stream it); Http404 for a missing photo or a
    name store() cannot give."""
    try:
        return storages[storage_name].open(_checked(name))
    except FileNotFoundError:
        raise Http404 from None


def read(name: str, *, storage_name: str = "vcard") -> bytes:
    """A stored photo's bytes; Http404 for a missing photo or a name store() cannot give."""
    with open_photo(name, storage_name=storage_name) as photo:
        return photo.read()


def delete(name: str, *, storage_name: str = "vcard") -> None:
    """Remove a stored photo; one already gone is fine. Http404 for a malformed name."""
    storages[storage_name].delete(_checked(name))
