"""A claim's uploaded document as the browser gets it, to the person and to staff alike
(files.responses.private_file: inline under a plain ASCII name, never cached, sandboxed)."""

from __future__ import annotations

from django.http import FileResponse

from healthbank.eservices.models import ClaimDocument
from healthbank.files import images, pdfs
from healthbank.files.responses import private_file


def document_response(document: ClaimDocument) -> FileResponse:
    if document.is_pdf:
        file = pdfs.open_pdf(document.stored_name, storage_name="eservice")
    else:
        file = images.open_photo(document.stored_name, storage_name="eservice")
    return private_file(file, content_type=document.content_type, filename=document.served_name)
