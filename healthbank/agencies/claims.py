"""The identity claims an agency may ask for, the scope that asks for each, and their values.

Scope names follow OpenID Connect where one exists (`profile` carries `name`; `birthdate`
is not a standard scope, but names its one claim); the NHI ones are this server's own:

    openid          required: `sub`, pairwise: a different opaque value for the same person
                    at each agency (never their ID; `pairwise_subject`)
    nhi_id          `national_id`: the national ID number (身分證統一編號)
    profile         `name`: the name on the NHI card
    birthdate       `birthdate`: YYYY-MM-DD
    insured_status  `insured_status`: "active" (在保), "suspended" (停保) or "not_insured"

A SMART on FHIR app can ask for none of these (fhir/authserver.py), and an agency for
nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from healthbank.people.models import Enrolment, Person

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

OPENID = "openid"


def insured_status(person: Person) -> str:
    """In force today: the person's newest period of cover (as the insured or a dependant)
    says whether they are insured (在保), suspended (停保) or neither (退保, or never)."""
    latest = (
        Enrolment.objects.filter(person=person)
        .order_by("-start_date", "-pk")
        .values_list("status", flat=True)
        .first()
    )
    if latest == Enrolment.Status.ACTIVE:
        return "active"
    if latest == Enrolment.Status.SUSPENDED:
        return "suspended"
    return "not_insured"


def pairwise_subject(client_id: str, user_pk: int) -> str:
    """The `sub` one agency knows a person by (OpenID Connect Core §8.1, pairwise): stable
    for that agency, different at every other, so two agencies cannot match the people
    they were told about unless the person released the national ID to both. Keyed by the
    SECRET_KEY: changing it changes every agency's `sub`."""
    return salted_hmac("healthbank.agencies.sub", f"{client_id}:{user_pk}").hexdigest()


INSURED_STATUS_LABELS = {
    "active": Enrolment.Status.ACTIVE.label,
    "suspended": Enrolment.Status.SUSPENDED.label,
    "not_insured": _("Not insured now"),
}


@dataclass(frozen=True)
class IdentityScope:
    scope: str
    claim: str
    label: StrOrPromise
    value: Callable[[Person], str]


SCOPES: dict[str, IdentityScope] = {
    s.scope: s
    for s in (
        IdentityScope("nhi_id", "national_id", _("National ID number"), lambda p: p.national_id),
        IdentityScope("profile", "name", _("Name"), lambda p: p.name),
        IdentityScope(
            "birthdate", "birthdate", _("Birth date"), lambda p: p.birth_date.isoformat()
        ),
        IdentityScope(
            "insured_status",
            "insured_status",
            _("Whether you are insured now (insured or suspended)"),
            insured_status,
        ),
    )
}
CLAIMS: frozenset[str] = frozenset(s.claim for s in SCOPES.values())
CLAIM_SCOPE: dict[str, str] = {s.claim: s.scope for s in SCOPES.values()}


def is_identity_scope(scope: str) -> bool:
    return scope in SCOPES


def labels(scopes: list[str]) -> list[StrOrPromise]:
    """What each identity scope asked shares, in the order of SCOPES."""
    return [s.label for name, s in SCOPES.items() if name in scopes]


def claim_labels(claims: list[str]) -> list[StrOrPromise]:
    return [s.label for s in SCOPES.values() if s.claim in claims]


def claim_values(person: Person, scopes: list[str]) -> dict[str, str]:
    """The claims of the scopes granted, with the person's values."""
    return {s.claim: s.value(person) for name, s in SCOPES.items() if name in scopes}
