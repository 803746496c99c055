"""The certificates' PDFs: Django templates (core.pdf) with a QR code of their check's URL."""

from __future__ import annotations

import segno
from django.conf import settings
from django.urls import reverse

from healthbank.certificates.models import Certificate, format_code
from healthbank.certificates.selectors import Facts
from healthbank.core.pdf import render_pdf

TEMPLATES: dict[str, str] = {
    Certificate.Kind.INSURANCE: "certificates/insurance_pdf.html",
    Certificate.Kind.PREMIUMS: "certificates/premiums_pdf.html",
}


def verification_url(code: str) -> str:
    return settings.SITE_URL + reverse("verify:code", args=[format_code(code)])


def certificate_pdf(kind: str, facts: Facts, *, code: str, language: str) -> bytes:
    """The unsigned PDF of a certificate of a kind in its language."""
    url = verification_url(code)
    qr = segno.make(url, error="m").svg_data_uri(scale=4, border=0)
    context = {
        "facts": facts,
        "code": format_code(code),
        "url": url,
        "qr": qr,
        "language": language,
    }
    return render_pdf(TEMPLATES[kind], context, language=language)
