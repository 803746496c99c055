"""Reading a person's audit trail: always starting from the person."""

from __future__ import annotations

from django.db.models import QuerySet

from healthbank.audit.models import AuditEvent
from healthbank.people.models import Person


def events_for(person: Person) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(person=person).order_by("-at", "-id")


def previous_login(person: Person) -> AuditEvent | None:
    """The successful sign-in before the current one (shown as 上次登入 after sign-in)."""
    logins = events_for(person).filter(action=AuditEvent.Action.LOGIN, success=True)
    return logins[1:2].first()
