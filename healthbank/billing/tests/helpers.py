"""What the billing tests share: the personas they use, signing in, reading a PDF's text."""

from __future__ import annotations

import io

from pypdf import PdfReader

from healthbank.identity.tests.cardhelpers import eservice_sign_in

HUANG = "B123456780"  # 黃冠宇: unpaid months and a reminder
CHEN = "A123456789"  # 陳志明: e-bills
LEE = "H123456786"  # 李建宏: supplementary premium bills


def signed_in(client, national_id: str, language: str = "zh-hant"):
    client.cookies["django_language"] = language
    return eservice_sign_in(client, national_id)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
