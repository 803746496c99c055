"""family_access(owner, delegate, categories): family access as the services make it (the
delegate gets an online-service account if they have none), for any app's tests."""

from __future__ import annotations

from healthbank.identity import delegation
from healthbank.identity.models import Account, Delegation
from healthbank.identity.services import register_at_counter
from healthbank.people.models import Person
from tests.fixtures.personas import PASSWORD


def registered(person: Person) -> Person:
    if not Account.objects.filter(person=person).exists():
        register_at_counter(person=person, password=PASSWORD, staff_id=None)
    return person


def family_access(
    owner: Person,
    delegate: Person,
    categories: list[str],
    *,
    days: int = 30,
    confirmed: bool = True,
) -> Delegation:
    registered(delegate)
    row = delegation.offer(
        owner=owner,
        national_id=delegate.national_id,
        birth_date=delegate.birth_date,
        categories=categories,
        days=days,
    )
    assert row is not None, "the delegate is not an eligible adult"
    if confirmed:
        row = delegation.accept(delegate=delegate, pk=row.pk)
    return row
