"""The certificate's PDF: a Django template rendered by WeasyPrint, with a QR code.

WeasyPrint rather than fpdf2: the document is an HTML template like every other page (the
translations, the date filters and the layout in CSS), and Pango shapes and WeasyPrint
subsets and embeds Debian's Noto Sans CJK TC (an OpenType collection, .ttc, which fpdf2
does not read) so that Traditional Chinese prints with the Taiwanese glyph forms. The QR
code is segno's SVG, which WeasyPrint draws as vectors.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from healthbank.certificates.models import format_code
from healthbank.certificates.selectors import Facts


def verification_url(code: str) -> str:
    return settings.SITE_URL + reverse("verify:code", args=[format_code(code)])


def insurance_pdf(facts: Facts, *, code: str, language: str) -> bytes:
    """The unsigned PDF of a certificate of insurance in its language."""
    url = verification_url(code)
    qr = segno.make(url, error="m").svg_data_uri(scale=4, border=0)
    with translation.override(language):
        html = render_to_string(
            "certificates/insurance_pdf.html",
            {
                "facts": facts,
                "code": format_code(code),
                "url": url,
                "qr": qr,
                "language": language,
            },
        )
    from PIL import ImageFile
    from weasyprint import HTML  # imported on first use: it loads Pango, ~0.3 s

    # WeasyPrint lets Pillow load truncated images, for every caller, when it is imported;
    # the virtual card's photo check must go on refusing them (vcard/images.py).
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
