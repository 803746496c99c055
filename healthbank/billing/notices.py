"""Notices (通知函) NHIA sends a person: each recorded with the postal address it went to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from healthbank.billing.models import Notice
from healthbank.identity.contacts import mail_recipients
from healthbank.people.addresses import postal_address
from healthbank.people.models import Person


def send_notice(
    *,
    person: Person,
    kind: str,
    subject: str,
    facts: dict[str, Any],
    now: dt.datetime | None = None,
    **fields: Any,
) -> Notice:
    """A notice to the person: by e-mail when they have an e-mail address, else by post. It
    keeps the postal address (mailing, else registered) it was addressed to when sent."""
    to = mail_recipients(person)
    facts = dict(facts)
    if (postal := postal_address(person)) is not None:
        facts["postal_address"] = str(postal)
    return Notice.objects.create(
        person=person,
        kind=kind,
        sent_on=timezone.localdate(now),
        channel=Notice.Channel.EMAIL if to else Notice.Channel.POST,
        subject=subject,
        facts=facts,
        **fields,
    )
