"""Telecom number check (門號認證) for phone-number verification (seed 004, 行動電話認證).

The carrier answers whether a mobile number is a monthly-plan number that this person
subscribed to. Production asks the carriers' gateway; the embedded default reads the
synthetic subscriptions table. Choose with the TELECOM_CHECK setting.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from healthbank.external.models import MobileSubscription
from healthbank.people.identifiers import normalise


class TelecomCheck(Protocol):
    def is_own_monthly_number(self, *, number: str, national_id: str) -> bool:
        """`number` in its stored form, 0912345678 (core.phones.canonical)."""


class LocalTelecomCheck:
    """The synthetic subscriptions of this database stand in for the carriers."""

    def is_own_monthly_number(self, *, number: str, national_id: str) -> bool:
        return MobileSubscription.objects.filter(
            number=number,
            national_id=normalise(national_id),
            plan=MobileSubscription.Plan.MONTHLY,
            holder=MobileSubscription.Holder.PERSON,
        ).exists()


def telecom() -> TelecomCheck:
    return import_string(settings.TELECOM_CHECK)()
