"""What a demo persona brings to registration and sign-in, read from the seeded database:
the facts `healthbank persona ID` prints, so nobody has to look them up on staff pages."""

from __future__ import annotations

from dataclasses import dataclass

from healthbank.external import cardreader
from healthbank.external.models import MobileSubscription
from healthbank.identity.models import Account
from healthbank.people.models import Household, NhiCard, Person
from healthbank.synth.personas import CERTIFICATE_PIN, HOUSEHOLDS, Persona
from healthbank.vcard.models import VirtualCard

PERSONAS: dict[str, Persona] = {p.national_id: p for house in HOUSEHOLDS for p in house}


class NotAPersona(LookupError):
    """The ID is not one of the demo personas, or the database was seeded without them."""


@dataclass(frozen=True)
class PersonaSheet:
    persona: Persona
    person: Person  # with household, village, township and county joined
    card_number: str  # of their valid NHI card
    account: Account | None
    certificate_pin: str  # of their citizen certificate card, "" if they hold none
    virtual_card: bool
    mobiles: list[MobileSubscription]  # the carriers' numbers in their name

    @property
    def household(self) -> Household:
        if self.person.household is None:  # every persona lives in a household
            raise ValueError(f"persona {self.person.pk} has no household")
        return self.person.household

    @property
    def registered(self) -> bool:
        """Registered for NHI-card online services (a certificate-only account is not)."""
        return self.account is not None and self.account.status != Account.Status.CERTIFICATE


def _people(national_ids: list[str]) -> dict[str, Person]:
    rows = Person.objects.select_related("household__village__township__county", "account").filter(
        national_id__in=national_ids
    )
    return {p.national_id: p for p in rows}


def persona_sheets(national_ids: list[str] | None = None) -> list[PersonaSheet]:
    """The personas (all, or these, in the README's order) as seeded; NotAPersona names the
    first ID that is no persona or is not in this database."""
    wanted = list(PERSONAS) if national_ids is None else national_ids
    for national_id in wanted:
        if national_id not in PERSONAS:
            raise NotAPersona(national_id)
    people = _people(wanted)
    cards = dict(
        NhiCard.objects.filter(
            person__national_id__in=wanted, status=NhiCard.Status.VALID
        ).values_list("person__national_id", "number")
    )
    with_virtual_card = set(
        VirtualCard.objects.filter(person__national_id__in=wanted).values_list(
            "person__national_id", flat=True
        )
    )
    mobiles: dict[str, list[MobileSubscription]] = {}
    for row in MobileSubscription.objects.filter(national_id__in=wanted).order_by("number"):
        mobiles.setdefault(row.national_id, []).append(row)
    sheets = []
    for national_id in wanted:
        person = people.get(national_id)
        # Seeded personas hold their demo card: anyone else with the ID is a real person.
        if person is None or cards.get(national_id) != PERSONAS[national_id].card_number:
            raise NotAPersona(national_id)
        sheets.append(
            PersonaSheet(
                persona=PERSONAS[national_id],
                person=person,
                card_number=cards.get(national_id, ""),
                account=getattr(person, "account", None),
                certificate_pin=(
                    CERTIFICATE_PIN if cardreader.has_certificate(national_id) else ""
                ),
                virtual_card=national_id in with_virtual_card,
                mobiles=mobiles.get(national_id, []),
            )
        )
    return sheets
