"""E-service query tests: the personas, signed in as the e-services sign them in."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from healthbank.identity.tests.cardhelpers import (
    PASSWORD,
    eservice_sign_in,
    registered,
    seed_personas,
)
from healthbank.synth.personas import HOUSEHOLDS

# Children hold no citizen certificate: they sign in with the NHI card and a password.
CHILDREN = {p.national_id for household in HOUSEHOLDS for p in household if p.age < 18}


@pytest.fixture
def personas(db):
    seed_personas()


@pytest.fixture
def signed_in(client, personas):
    """A client signed in to the e-services as the given person (certificate sign-in)."""

    def sign_in(national_id: str, language: str = "zh-hant"):
        client.cookies["django_language"] = language
        if national_id in CHILDREN:
            registered(national_id, email=f"{national_id.lower()}@example.com")
            return eservice_sign_in(client, national_id, PASSWORD)
        return eservice_sign_in(client, national_id)

    return sign_in


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
