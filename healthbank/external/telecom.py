"""Telecom number check (門號認證) for phone-number verification (seed 004, 行動電話認證).

The carrier answers whether a mobile number is a monthly-plan number that this person
subscribed to. Production asks the carriers' gateway; the embedded default reads the
synthetic subscriptions table. Choose with the TELECOM_CHECK setting.
"""

from __future__ import annotations

import re
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from healthbank.core.typed import ascii_typed
from healthbank.external.models import MobileSubscription
from healthbank.people.identifiers import normalise

# Taiwan mobile numbers: 09 and eight digits; +886 9... is the same number.
MOBILE_NUMBER = re.compile(r"09[0-9]{8}")  # ASCII digits: \d would take ١٢٣ too


def normalise_number(number: str) -> str:
    """0912-345-678, 0912 345 678, ０９１２３４５６７８ and +886 912 345 678 all become
    0912345678."""
    digits = re.sub(r"[\s\-()]", "", ascii_typed(number))
    if digits.startswith("+886"):
        digits = "0" + digits[4:]
    return digits


class TelecomCheck(Protocol):
    def is_own_monthly_number(self, *, number: str, national_id: str) -> bool: ...


class LocalTelecomCheck:
    """The synthetic subscriptions of this database stand in for the carriers."""

    def is_own_monthly_number(self, *, number: str, national_id: str) -> bool:
        return MobileSubscription.objects.filter(
            number=normalise_number(number),
            national_id=normalise(national_id),
            plan=MobileSubscription.Plan.MONTHLY,
            holder=MobileSubscription.Holder.PERSON,
        ).exists()


def telecom() -> TelecomCheck:
    return import_string(settings.TELECOM_CHECK)()
