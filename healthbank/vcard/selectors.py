"""Reads of virtual cards and authorisations, each starting from the person asking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from healthbank.core.typed import is_ascii_digits
from healthbank.people.models import Enrolment, Person
from healthbank.records.rules import CHILD_AGE_LIMIT
from healthbank.records.selectors.family import children_in_care
from healthbank.vcard.models import AcceptingSite, Application, Authorisation, VirtualCard

# When one card may be used on several grounds, the first here is the one recorded: a
# specific person's use mails the owner, a parent's use of a child's card does not.
BASES = ("self", "child", "dependant", "household", "specific")


@dataclass(frozen=True)
class Usable:
    """A card the person may show: their own, or another's on some basis."""

    card: VirtualCard
    basis: str  # one of BASES
    authorisation: Authorisation | None = None
    until: dt.datetime | None = None  # when this use ends; None: while the card lasts

    @property
    def owner(self) -> Person:
        return self.card.person


def card_of(person: Person) -> VirtualCard | None:
    return VirtualCard.objects.select_related("person").filter(person=person).first()


def latest_application(person: Person) -> Application | None:
    """The newest application for the person's own card, by whoever applied."""
    return (
        Application.objects.filter(person=person)
        .select_related("person")
        .order_by("-submitted_at")
        .first()
    )


def household_members(person: Person) -> list[Person]:
    """The others registered in the person's household (同一健保戶), oldest first."""
    if person.household_id is None:
        return []
    return list(
        Person.objects.filter(household_id=person.household_id)
        .exclude(pk=person.pk)
        .select_related("virtual_card")
        .order_by("birth_date", "pk")
    )


def household_member(person: Person, member_id: int) -> Person:
    member = next((m for m in household_members(person) if m.pk == member_id), None)
    if member is None:
        raise Http404
    return member


def household_with_applications(person: Person) -> list[tuple[Person, Application | None]]:
    """The household's other members, each with their newest application (眷屬管理)."""
    members = household_members(person)
    newest: dict[int, Application] = {}
    applications = Application.objects.filter(person__in=members).select_related("person")
    for application in applications.order_by("submitted_at"):
        newest[application.person_id] = application
    return [(member, newest.get(member.pk)) for member in members]


def _fifteenth_birthday(child: Person) -> dt.datetime:
    born = child.birth_date
    day = (
        dt.date(born.year + CHILD_AGE_LIMIT, 3, 1)
        if (born.month, born.day) == (2, 29)
        else born.replace(year=born.year + CHILD_AGE_LIMIT)
    )
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def usable_cards(person: Person, now: dt.datetime | None = None) -> list[Usable]:
    """Every card the person may show now (我可使用, with their own first): theirs; a child's
    under 15 insured under them; a card they applied for as an older dependant's (依附眷屬)
    while both share the household; and cards authorised to them, within their period."""
    now = now or timezone.now()
    found: dict[int, Usable] = {}

    def add(usable: Usable) -> None:
        kept = found.get(usable.card.person_id)
        if kept is None or BASES.index(usable.basis) < BASES.index(kept.basis):
            found[usable.card.person_id] = usable

    own = card_of(person)
    if own is not None:
        add(Usable(card=own, basis="self"))
    children = children_in_care(person, timezone.localdate(now))
    for card in VirtualCard.objects.filter(person__in=children).select_related("person"):
        add(Usable(card=card, basis="child", until=_fifteenth_birthday(card.person)))
    if person.household_id is not None:
        dependants = VirtualCard.objects.filter(
            application__applicant=person,
            application__kind=Application.Kind.DEPENDANT,
            person__household_id=person.household_id,
        ).select_related("person", "application")
        for card in dependants:
            # A card applied for a child under 15 follows the child rule and passes to the
            # child at 15; only one applied for someone older stays the applicant's to show.
            applied_on = timezone.localdate(card.application.submitted_at)
            if card.person.age_on(applied_on) >= CHILD_AGE_LIMIT:
                add(Usable(card=card, basis="dependant"))
    granted = Authorisation.objects.filter(
        grantee=person,
        status=Authorisation.Status.ACTIVE,
        starts_at__lte=now,
        ends_at__gt=now,
        grantor__virtual_card__isnull=False,
    ).select_related("grantor__virtual_card__person")
    for authorisation in granted:
        grantor = authorisation.grantor
        if grantor is None:  # the query keeps only grantors with a card
            continue
        add(
            Usable(
                card=grantor.virtual_card,
                basis=authorisation.kind,
                authorisation=authorisation,
                until=authorisation.ends_at,
            )
        )
    return sorted(found.values(), key=lambda u: (BASES.index(u.basis), u.card.person_id))


def usable_card(person: Person, owner_id: int, now: dt.datetime | None = None) -> Usable:
    """The card of `owner_id` if the person may show it now; 404 for anyone else's."""
    usable = next((u for u in usable_cards(person, now) if u.card.person_id == owner_id), None)
    if usable is None:
        raise Http404
    return usable


def granted_by(person: Person) -> QuerySet[Authorisation]:
    """我授權的: the person's authorisations of others, clinics' requests included."""
    return (
        Authorisation.objects.filter(grantor=person)
        .select_related("grantee", "provider")
        .order_by("-created_at")[:50]
    )


def granted_to(person: Person) -> QuerySet[Authorisation]:
    """Authorisations naming the person as the one who may use the card."""
    return (
        Authorisation.objects.filter(grantee=person)
        .select_related("grantor")
        .order_by("-created_at")[:50]
    )


def waiting_for(person: Person, now: dt.datetime | None = None) -> QuerySet[Authorisation]:
    """What waits for the person's agreement now: a household member's authorisation of
    them, or a clinic's request to use their card."""
    now = now or timezone.now()
    return (
        Authorisation.objects.filter(
            Q(kind=Authorisation.Kind.HOUSEHOLD, grantee=person)
            | Q(kind=Authorisation.Kind.CLINIC, grantor=person),
            status=Authorisation.Status.PENDING,
            consent_by__gt=now,
        )
        .select_related("grantor", "provider")
        .order_by("consent_by")
    )


def answerable(person: Person, authorisation_id: int) -> Authorisation:
    """An authorisation the person may agree to or decline; 404 for anyone else."""
    found = (
        Authorisation.objects.filter(
            Q(kind=Authorisation.Kind.HOUSEHOLD, grantee=person)
            | Q(kind=Authorisation.Kind.CLINIC, grantor=person),
            pk=authorisation_id,
        )
        .select_related("grantor", "grantee", "provider")
        .first()
    )
    if found is None:
        raise Http404
    return found


def revocable(person: Person, authorisation_id: int) -> Authorisation:
    """An authorisation the person granted, or one granted to them (which they may give
    up); 404 for anyone else."""
    found = (
        Authorisation.objects.filter(Q(grantor=person) | Q(grantee=person), pk=authorisation_id)
        .select_related("grantor", "grantee", "provider")
        .first()
    )
    if found is None:
        raise Http404
    return found


def current_enrolment(person: Person, day: dt.date) -> Enrolment | None:
    """The person's cover on `day` (在保), if any: what a clinic checks before care."""
    return (
        Enrolment.objects.filter(person=person, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("-start_date")
        .first()
    )


def accepting_sites(
    *, county: str = "", service: str = "", query: str = ""
) -> QuerySet[AcceptingSite]:
    """Providers that accept the virtual card (public): by county code, service and name."""
    sites = AcceptingSite.objects.select_related("provider__county", "provider__township")
    if county:
        if not is_ascii_digits(county):  # county codes are digits: 63000
            return sites.none()
        sites = sites.filter(provider__county_id=county)
    query = query.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    if service in AcceptingSite.SERVICES:
        sites = sites.filter(**{service: True})
    if query:
        sites = sites.filter(Q(provider__name__icontains=query) | Q(provider__code=query))
    return sites.order_by("provider__county_id", "provider__name")
