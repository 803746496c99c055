"""Reading a person's audit trail: always starting from the person."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from healthbank.audit import partitions
from healthbank.audit.models import AuditEvent
from healthbank.people.models import Person


def events_for(person: Person) -> QuerySet[AuditEvent]:
    """The person's trail as kept, newest first (within partitions.kept: on PostgreSQL the
    newest months are read first, and only as many as a page needs)."""
    start, end = partitions.kept(timezone.now())
    return AuditEvent.objects.filter(person=person, at__gte=start, at__lt=end).order_by(
        "-at", "-id"
    )


def logins(person: Person) -> QuerySet[AuditEvent]:
    """The person's successful sign-ins, newest first (an index of their own: not one more
    row to pass over for every page the person opens)."""
    return events_for(person).filter(action=AuditEvent.Action.LOGIN, success=True)


def previous_login(person: Person) -> AuditEvent | None:
    """The successful sign-in before the current one (shown as 上次登入 after sign-in)."""
    return logins(person)[1:2].first()
