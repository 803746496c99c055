"""Request and response bodies of the virtual card's endpoints, in the app's API
(/api/v1/vcard/) and the providers' API (/providers/api/v1/vcard/)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from healthbank.core.schemas import Body


class PersonOut(Schema):
    id: int
    name: str
    masked_id: str


class CardOut(Schema):
    """A card the signed-in person may show (我可使用), their own first."""

    owner: PersonOut
    basis: str = Field(description="self, child, dependant, household or specific")
    basis_label: str
    issued_at: dt.datetime
    until: dt.datetime | None = Field(description="when this person's use ends, if it does")
    authorisation_id: int | None = Field(
        description="household or specific: the authorisation to give up (取消授權)"
    )
    photo_url: str


class ApplicationOut(Schema):
    id: int
    person: PersonOut
    kind: str
    status: str = Field(description="pending, approved or rejected")
    status_label: str
    submitted_at: dt.datetime
    rejection_reason: str


class MemberOut(PersonOut):
    """A member of the person's household (同一健保戶)."""

    age: int
    card_as_document: bool = Field(description="the NHI card's front may serve (under 14)")
    has_card: bool
    application: ApplicationOut | None


class StatusOut(Schema):
    """The virtual card's home: the person's card or application, and their household."""

    card: CardOut | None
    application: ApplicationOut | None
    household: list[MemberOut]
    card_as_document: bool = Field(description="the NHI card's front may serve (under 14)")


class QrOut(Schema):
    token: str
    qr_svg: str = Field(description="the QR code as an SVG data URI")
    expires_at: dt.datetime
    seconds: int


class AuthorisationOut(Schema):
    id: int
    kind: str = Field(description="specific, household or clinic")
    kind_label: str
    state: str = Field(description="pending, lapsed, declined, scheduled, active, ended or revoked")
    state_label: str
    grantor: PersonOut
    grantee: PersonOut | None
    provider: str | None
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    consent_by: dt.datetime | None


class AuthorisationsOut(Schema):
    granted: list[AuthorisationOut] = Field(description="我授權的")
    received: list[AuthorisationOut] = Field(description="authorisations naming me")
    waiting: list[AuthorisationOut] = Field(description="waiting for my agreement now")


class AuthoriseIn(Body):
    kind: Literal["specific", "household"]
    member_id: int | None = Field(None, description="household: the member's id")
    national_id: str = Field("", max_length=10, description="specific: the grantee's ID")
    name: str = Field("", max_length=50, description="specific: the grantee's name")
    starts_on: dt.date
    ends_on: dt.date
    password: str = Field(max_length=128, description="the registration password, again")


class AuthorisedOut(Schema):
    authorisation: AuthorisationOut
    code: str | None = Field(description="specific: the code to give the grantee (shown once)")
    code_qr_svg: str | None


class ClaimIn(Body):
    code: str = Field(max_length=100)


class SiteOut(Schema):
    code: str
    name: str
    county: str
    township: str
    address: str
    phone: str
    services: list[str]


class SitesOut(Schema):
    count: int
    results: list[SiteOut]
    counties: list[dict[str, Any]] = Field(description="[{code, name}] of counties with a site")
    services: list[dict[str, Any]] = Field(description="[{code, label}]")


# --- providers' API ---------------------------------------------------------------------------


class QrVerifyIn(Body):
    token: str = Field(max_length=300, description="the text of the scanned QR code")


class EligibilityOut(Schema):
    insured: bool = Field(description="covered (在保) today")
    status: str | None
    category: int | None
    since: dt.date | None


class CardReadOut(Schema):
    national_id: str
    name: str
    sex: str
    birth_date: dt.date
    photo_url: str = Field(description="the card photo; valid for 10 minutes")
    eligibility: EligibilityOut
    presented_by: str = Field(description="who showed the card: self, or the user's name")
    basis: str = Field(description="self, child, dependant, household, specific or clinic")
    verified_at: dt.datetime


class ClinicRequestIn(Body):
    national_id: str = Field(max_length=10)


class ClinicRequestOut(Schema):
    id: int
    state: str = Field(description="pending, lapsed, declined, active, ended or revoked")
    consent_by: dt.datetime
    usable_until: dt.datetime | None
    card: CardReadOut | None = Field(description="while active; each read is audited")
