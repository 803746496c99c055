"""What the card application tests share: pictures, filing an application as the page does,
signing in to the e-services, and running the queued mail."""

from __future__ import annotations

import io

from PIL import Image

from healthbank.cards import services
from healthbank.cards.models import CardApplication
from healthbank.identity.tests.cardhelpers import eservice_sign_in
from healthbank.people.models import Person

CHEN, CHEN_CARD = "A123456789", "000090000001"  # 陳志明
HUANG = "B123456780"  # 黃冠宇
WU = "K223456780"  # 吳怡君: the outsider
BANK, ACCOUNT = "004", "123456789012"  # 陳志明's account at 臺灣銀行 (made by the fixture)


def jpeg(size: tuple[int, int] = (480, 600), colour: str = "#c8d8e8") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def file_application(person: Person, **changes) -> CardApplication:
    fields = {
        "person": person,
        "reason": "damaged",
        "photo": jpeg(),
        "delivery": "post",
        "bank_code": BANK,
        "account_number": ACCOUNT,
    } | changes
    return services.apply(**fields)


def signed_in(client, national_id: str, language: str = "zh-hant"):
    """An e-services session (citizen certificate + PIN), in that language."""
    client.cookies["django_language"] = language
    return eservice_sign_in(client, national_id)


def run_tasks() -> None:
    """What `healthbank worker` does: the queued mail goes out."""
    from django.core.management import call_command

    call_command("worker", "--batch", "--interval", "0.01")
