"""PDFs people upload (a reimbursement claim's receipts and medical certificates): only a
real, readable PDF within size and page limits, not encrypted and with no JavaScript, launch
or other actions that run when it is opened, is taken; kept as sent in a private storage
under a random name. Staff open it in the browser's own viewer."""

from __future__ import annotations

import io
import logging
import re
import secrets

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.http import Http404
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

NAME = re.compile(r"[0-9a-f]{32}\.pdf")
# Where the trailer's %%EOF must be: within the last bytes (some writers add a line or two).
TRAILER_WINDOW = 1024
# Keys that run something when the PDF is opened or clicked, or carry another file: scripts,
# launches, additional actions (/AA), rich media, XFA forms (their own scripts), embedded files
# (/EmbeddedFiles in the name tree, /EF in a file specification).
ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/Launch",
        "/AA",
        "/RichMedia",
        "/XFA",
        "/EmbeddedFiles",
        "/EmbeddedFile",
        "/EF",
    }
)
# Action types (/S) that run, send, fetch or open something beyond the file itself. /GoTo
# (a place in this file) and /URI (a link, which scanners and Word add and the viewer asks
# about) are taken; /GoToR and /GoToE open another file, so they are not.
ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/ImportData",
        "/SubmitForm",
        "/ResetForm",
        "/Rendition",
        "/RichMediaExecute",
        "/GoToR",
        "/GoToE",
        "/Movie",
        "/Sound",
    }
)
# Types (/Type or /Subtype) of objects that carry another file or media.
ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/FileAttachment", "/RichMedia", "/Movie", "/Sound"})
# How deep one object's direct dictionaries and arrays are followed. A receipt's objects are a
# few levels deep; a file nested deeper is refused rather than left partly unchecked.
MAX_DEPTH = 12
# Ours: a receipt or certificate has a few objects; a file with many more is no such paper.
MAX_OBJECTS = 20_000

MESSAGES = {
    "not_pdf": _("This file is not a PDF. Upload a PDF, or a JPEG, PNG or HEIC photo."),
    "damaged": _(
        "The PDF could not be read; it may be damaged or only partly uploaded. Save it again "
        "and upload the new copy."
    ),
    "too_large": _("The PDF is larger than %(megabytes)d MB. Upload a smaller copy."),
    "too_many_pages": _(
        "The PDF has more than %(pages)d pages. Upload only the pages of this claim."
    ),
    "encrypted": _(
        "The PDF is protected by a password or encrypted. Save it without protection and "
        "upload it again."
    ),
    "active": _(
        "The PDF contains scripts or actions that run when it is opened, which we do not "
        "accept. Print it to a new PDF (or scan the paper) and upload that."
    ),
}

logger = logging.getLogger(__name__)


def _formatted(message: Promise, params: dict[str, int]) -> str:
    return str(message) % params


class PdfRefused(Exception):
    """A PDF that is not taken; `code` for programs, `message` (lazy) for the person."""

    def __init__(self, code: str, **params: int) -> None:
        super().__init__(code)
        self.code = code
        self.message = lazy(_formatted, str)(MESSAGES[code], params)


def is_pdf(data: bytes) -> bool:
    """Whether the bytes announce a PDF (its header in the first kilobyte, as readers allow)."""
    return b"%PDF-" in data[:1024]


def check_pdf(data: bytes, *, max_bytes: int, max_pages: int) -> int:
    """Check an uploaded PDF and return its page count. Raises PdfRefused."""
    if len(data) > max_bytes:
        raise PdfRefused("too_large", megabytes=max_bytes // 1024**2)
    if not data.startswith(b"%PDF-"):
        raise PdfRefused("not_pdf")
    if b"%%EOF" not in data[-TRAILER_WINDOW:]:
        raise PdfRefused("damaged")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise PdfRefused("encrypted")
        pages = len(reader.pages)
        if pages == 0:
            raise PdfRefused("damaged")
        if pages > max_pages:
            raise PdfRefused("too_many_pages", pages=max_pages)
        if _has_actions(reader):
            raise PdfRefused("active")
    except PdfRefused:
        raise
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on a malformed file
        logger.info("an uploaded PDF could not be read", exc_info=True)
        raise PdfRefused("damaged") from None
    return pages


def _has_actions(reader: PdfReader) -> bool:
    """Any object of the file (including those in object streams) naming JavaScript, a
    launch or another action that runs; names are compared decoded (#4A is J)."""
    root = reader.trailer["/Root"].get_object()
    if not isinstance(root, DictionaryObject):
        raise PdfRefused("damaged")
    if "/AA" in root or not _goes_to_a_page(root.get("/OpenAction")):
        return True
    names = root.get("/Names")
    names = names.get_object() if names is not None else None
    if isinstance(names, DictionaryObject) and "/JavaScript" in names:
        return True
    seen = 0
    for generation, numbers in reader.xref.items():
        for number in numbers:
            seen += 1
            if seen > MAX_OBJECTS:
                raise PdfRefused("damaged")
            if _active(reader.get_object(IndirectObject(number, generation, reader))):
                return True
    for number in reader.xref_objStm:
        seen += 1
        if seen > MAX_OBJECTS:
            raise PdfRefused("damaged")
        if _active(reader.get_object(IndirectObject(number, 0, reader))):
            return True
    return False


def _name(dictionary: DictionaryObject, key: str) -> str | None:
    """A name entry of a dictionary, followed when it is an indirect reference."""
    value = dictionary.get(key)
    value = value.get_object() if isinstance(value, IndirectObject) else value
    return str(value) if isinstance(value, NameObject) else None


def _goes_to_a_page(action: object) -> bool:
    """Whether a document's /OpenAction is absent or only shows a page of the file: a
    destination array ([page /Fit], as Word and scanners write it) or a lone /GoTo action."""
    if action is None:
        return True
    action = action.get_object() if isinstance(action, IndirectObject) else action
    if isinstance(action, ArrayObject):
        return True
    return (
        isinstance(action, DictionaryObject)
        and _name(action, "/S") == "/GoTo"
        and "/Next" not in action
    )


def _active(value: object, depth: int = 0) -> bool:
    """Whether an object names something that runs or carries another file; one nested
    deeper than MAX_DEPTH counts as such (it cannot be checked whole, and no receipt is)."""
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, DictionaryObject):
        if ACTIVE_KEYS & set(value.keys()):
            return True
        if _name(value, "/S") in ACTIVE_ACTIONS:
            return True
        if _name(value, "/Type") in ACTIVE_TYPES or _name(value, "/Subtype") in ACTIVE_TYPES:
            return True
        return any(
            _active(v, depth + 1)
            for v in value.values()
            if isinstance(v, DictionaryObject | ArrayObject)
        )
    if isinstance(value, ArrayObject):
        return any(
            _active(v, depth + 1) for v in value if isinstance(v, DictionaryObject | ArrayObject)
        )
    return False


def _checked(name: str) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise Http404
    return name


def store(data: bytes, *, storage_name: str = "eservice") -> str:
    """Keep a checked PDF in a private storage under a new random name, whole or not at all."""
    storage = storages[storage_name]
    name = f"{secrets.token_hex(16)}.pdf"
    try:
        return storage.save(name, ContentFile(data))
    except BaseException:
        storage.delete(name)
        raise


def open_pdf(name: str, *, storage_name: str = "eservice") -> File[bytes]:
    """A stored PDF opened for reading; Http404 for a missing one or a name store() cannot
    give."""
    try:
        return storages[storage_name].open(_checked(name))
    except FileNotFoundError:
        raise Http404 from None


def delete(name: str, *, storage_name: str = "eservice") -> None:
    storages[storage_name].delete(_checked(name))
