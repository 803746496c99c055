"""One person's writes, one at a time."""

from __future__ import annotations

from healthbank.people.models import Person


def lock_person(person_id: int) -> None:
    """Hold the person's row until the caller's transaction ends, so that two requests of
    theirs (two applications, two debits) run one after the other; SQLite writes one
    transaction at a time anyway."""
    Person.objects.select_for_update().filter(pk=person_id).first()
