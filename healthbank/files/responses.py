"""A private upload (a photo, a receipt) as a browser gets it, to its owner or to staff:
shown inline under a plain name, never cached, never sniffed, and sandboxed (no script, no
form, no same-origin access even if a PDF viewer or an image carried any)."""

from __future__ import annotations

from django.core.files import File
from django.http import FileResponse


def private_file(file: File[bytes], *, content_type: str, filename: str) -> FileResponse:
    response = FileResponse(file, content_type=content_type, filename=filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Chromium's PDF viewer still shows the file under this (checked with Playwright and
    # Debian's chromium: the viewer renders the pages and names the file).
    response["Content-Security-Policy"] = "sandbox"
    return response
