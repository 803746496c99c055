"""A claim's uploaded document as the browser gets it, to the person and to staff alike:
shown inline under a plain ASCII file name, never cached, never sniffed, and sandboxed (no
script, no form, no same-origin access even if a PDF viewer or the image carried any)."""

from __future__ import annotations

from django.http import FileResponse

from healthbank.eservices.models import ClaimDocument
from healthbank.files import images, pdfs


def document_response(document: ClaimDocument) -> FileResponse:
    if document.is_pdf:
        file = pdfs.open_pdf(document.stored_name, storage_name="eservice")
    else:
        file = images.open_photo(document.stored_name, storage_name="eservice")
    response = FileResponse(file, content_type=document.content_type, filename=document.served_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Chromium's PDF viewer still shows the file under this (checked with Playwright and
    # Debian's chromium: the viewer renders the pages and names the file).
    response["Content-Security-Policy"] = "sandbox"
    return response
