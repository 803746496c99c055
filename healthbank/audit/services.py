"""Writing audit events: one function, called by the services that act."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from healthbank.audit.models import AuditEvent
from healthbank.core import proxies
from healthbank.people.models import Person

Action = AuditEvent.Action
Actor = AuditEvent.Actor


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or behind trusted proxies the address they were
    asked by (core/proxies.py)."""
    return proxies.client_address(request.META) if request is not None else None


def record(
    *,
    action: str,
    person: Person | None,
    actor: str = Actor.PERSON,
    actor_id: int | None = None,
    method: str = "",
    address: str | None = None,
    success: bool = True,
    **detail: Any,
) -> AuditEvent:
    return AuditEvent.objects.create(
        person=person,
        action=action,
        actor=actor,
        actor_id=actor_id,
        method=method,
        address=address,
        success=success,
        detail=detail,
    )
