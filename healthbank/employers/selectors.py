"""Reads of the employers app, each starting from the signed-in unit: a unit sees only its
own uploads and their rows (another unit's batch is simply not found)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from healthbank.employers.models import Batch, BatchRow, UnitLogin
from healthbank.people.models import InsuredUnit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def unit_login_of(user: User | AnonymousUser) -> UnitLogin | None:
    """The unit sign-in behind a session's user, with its unit (one query), or None."""
    if not user.is_authenticated:
        return None
    return UnitLogin.objects.select_related("unit").filter(user=user).first()


def batches(unit: InsuredUnit) -> QuerySet[Batch]:
    """健保卡註冊申請上傳紀錄: the unit's uploads, newest first."""
    return Batch.objects.filter(unit=unit).order_by("-uploaded_at", "-pk")


def batch(unit: InsuredUnit, batch_id: int) -> Batch | None:
    return batches(unit).filter(pk=batch_id).first()


def batch_rows(unit: InsuredUnit, batch: Batch) -> QuerySet[BatchRow]:
    """The rows of one of the unit's uploads, in file order."""
    return BatchRow.objects.filter(batch=batch, batch__unit=unit).order_by("line")
