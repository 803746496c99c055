"""HTML to PDF with WeasyPrint: documents are Django templates like every other page.

WeasyPrint rather than fpdf2: the translations, the date filters and the layout stay in
templates and CSS, and Pango shapes and WeasyPrint subsets and embeds Debian's Noto Sans
CJK TC (an OpenType collection, .ttc, which fpdf2 does not read) so that Traditional
Chinese prints with the Taiwanese glyph forms. SVG (segno's QR codes, barcodes) is drawn
as vectors.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import content_disposition_header

from healthbank.core.pdf_fonts import compact_fonts


def render_pdf(template: str, context: dict, *, language: str) -> bytes:
    """The template rendered in `language`, as an unsigned PDF with its fonts cut down to the
    glyphs it draws (pdf_fonts: tens of kilobytes rather than hundreds)."""
    with translation.override(language):
        html = render_to_string(template, context)
    from PIL import ImageFile
    from weasyprint import HTML  # imported on first use: it loads Pango, ~0.3 s

    # WeasyPrint lets Pillow load truncated images, for every caller, when it is imported;
    # the virtual card's photo check must go on refusing them (files/images.py).
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(finisher=compact_fonts)


def page_language() -> str:
    """The language of the page asked from, as documents name theirs: "en" or "zh-hant"."""
    return "en" if (translation.get_language() or "").startswith("en") else "zh-hant"


def pdf_response(pdf: bytes, filename: str, *, attachment: bool = True) -> HttpResponse:
    """A PDF answer: saved as `filename`, or shown in the browser's viewer (attachment=False)
    with that name when saved from there."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(attachment, filename) or ""
    return response
