"""Where a person's post goes: their mailing address (通訊地址) when they gave one, else their
registered address (戶籍地址). Notices, bills and NHI cards sent by post all ask here."""

from __future__ import annotations

from dataclasses import dataclass

from healthbank.people.models import MailingAddress, Person


@dataclass(frozen=True)
class PostalAddress:
    postal_code: str
    address: str  # in Chinese, as an envelope carries it
    is_mailing: bool  # False: the registered address

    def __str__(self) -> str:
        return f"{self.postal_code} {self.address}".strip()


def current_mailing_address(person: Person) -> MailingAddress | None:
    return (
        MailingAddress.objects.select_related("village__township__county")
        .filter(person=person, until__isnull=True)
        .first()
    )


def postal_address(person: Person) -> PostalAddress | None:
    """The address post for `person` goes to; None for someone with neither."""
    mailing = current_mailing_address(person)
    if mailing is not None:
        return PostalAddress(mailing.village.township.postal_code, mailing.address, True)
    household = person.household
    if household is None:
        return None
    return PostalAddress(household.village.township.postal_code, household.address, False)
