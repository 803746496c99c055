"""Helpers of the virtual card tests (the fixtures are in conftest.py): pictures made with
Pillow, applying for a card as the app does, and running the queued tasks."""

from __future__ import annotations

import io

from PIL import Image

from healthbank.people.models import Person
from healthbank.vcard import services
from healthbank.vcard.models import Application


def jpeg(size: tuple[int, int] = (480, 600), colour: str = "#c8d8e8") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def application_for(person: Person, applicant: Person | None = None, **changes) -> Application:
    fields = {
        "applicant": applicant or person,
        "person": person,
        "document_kind": Application.Document.ID_CARD,
        "document": jpeg((800, 500)),
        "portrait": jpeg(),
        "contact_phone": "0912-345-678",
        "email": "someone@example.com",
        "terms_accepted": True,
    } | changes
    return services.apply(**fields)


def run_tasks() -> None:
    """What `healthbank worker` does: the queued mail goes out."""
    from django.core.management import call_command

    call_command("worker", "--batch", "--interval", "0.01")
