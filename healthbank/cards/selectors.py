"""The signed-in person's NHI cards and card applications; nobody else's."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from healthbank.cards.models import CardApplication
from healthbank.people.models import NhiCard, Person


def cards_of(person: Person) -> QuerySet[NhiCard]:
    return NhiCard.objects.filter(person=person).order_by("-issued_on", "-pk")


def applications_of(person: Person) -> QuerySet[CardApplication]:
    return (
        CardApplication.objects.filter(person=person)
        .select_related("card")
        .order_by("-submitted_at", "-pk")
    )


def application_of(person: Person, pk: int) -> CardApplication:
    """One of the person's applications; Http404 for anyone else's."""
    return get_object_or_404(applications_of(person).select_related("replaces"), pk=pk)


def valid_card(person: Person) -> NhiCard | None:
    return NhiCard.objects.filter(person=person, status=NhiCard.Status.VALID).first()
