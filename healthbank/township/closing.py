"""Periods of cover that an approved change ends on a day still to come stay active until
then (the cover goes on); on the effective date the worker gives them their closing status."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from healthbank.people.models import Enrolment
from healthbank.township.models import TownshipApplication

# The status a period ends with, by the reason it ends.
CLOSING_STATUS: dict[str, str] = {
    Enrolment.EndReason.ABROAD: Enrolment.Status.SUSPENDED,
    Enrolment.EndReason.TRANSFER_OUT: Enrolment.Status.WITHDRAWN,
    Enrolment.EndReason.WITH_INSURED: Enrolment.Status.WITHDRAWN,
}


@transaction.atomic
def close_due_periods(*, application_id: int, today: dt.date | None = None) -> int:
    """The periods an approved application ended that are now past their end date take
    their closing status (suspended, withdrawn); returns how many."""
    today = today or timezone.localdate()
    app = TownshipApplication.objects.get(pk=application_id)
    rows = app.ended.select_for_update().filter(
        status=Enrolment.Status.ACTIVE, end_date__lt=today, end_reason__in=CLOSING_STATUS
    )
    closed = 0
    for e in rows:
        e.status = CLOSING_STATUS[e.end_reason]
        e.save(update_fields=["status"])
        closed += 1
    return closed
