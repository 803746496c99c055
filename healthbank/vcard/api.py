"""The virtual card in the NHI Express app's API (/api/v1/vcard/): apply, show a one-time
QR code, authorise and agree. Thin: each endpoint calls one service or selector with the
signed-in person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal, Protocol, overload

import segno
from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Router, Status
from ninja.files import UploadedFile

from healthbank.audit.services import client_address
from healthbank.core.http import page_bounds
from healthbank.core.schemas import NO_NUL, ErrorOut
from healthbank.files import images
from healthbank.identity import services as identity
from healthbank.identity.models import DeviceBinding
from healthbank.people.models import County, Person, Township
from healthbank.vcard import rules, selectors, services
from healthbank.vcard.models import Application, Authorisation
from healthbank.vcard.schemas import (
    AuthorisationOut,
    AuthorisationsOut,
    AuthorisedOut,
    AuthoriseIn,
    ClaimIn,
    QrOut,
    SitesOut,
    StatusOut,
)

router = Router(tags=["virtual card"])
ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 413, 422, 429)}

BASIS_LABELS = {
    "self": _("My card"),
    "child": _("Child under 15"),
    "dependant": _("Dependant I applied for"),
    "household": _("Authorised by a household member"),
    "specific": _("Authorised to me"),
}
STATE_LABELS = {
    "pending": _("Waiting for agreement"),
    "lapsed": _("Not agreed in time"),
    "declined": _("Declined"),
    "scheduled": _("Not started yet"),
    "active": _("In use"),
    "ended": _("Ended"),
    "revoked": _("Revoked"),
}
SERVICE_LABELS = {
    "outpatient": _("Outpatient care"),
    "video": _("Video consultation"),
    "telemedicine": _("Telemedicine"),
    "home_care": _("Home care"),
}


class _AccessToken(Protocol):
    """What this router reads of api.models.ApiToken."""

    binding: DeviceBinding
    pair: str


class AppRequest(HttpRequest):
    """A request the app API's BearerToken let in: ninja sets `auth` to the access token."""

    auth: _AccessToken


def _me(request: AppRequest) -> Person:
    return request.auth.binding.account.person


@overload
def _person(person: Person) -> dict[str, Any]: ...
@overload
def _person(person: None) -> None: ...
def _person(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {"id": person.pk, "name": person.name, "masked_id": person.masked_id}


def _card(usable: selectors.Usable) -> dict[str, Any]:
    owner = usable.owner
    return {
        "owner": _person(owner),
        "basis": usable.basis,
        "basis_label": str(BASIS_LABELS[usable.basis]),
        "issued_at": usable.card.issued_at,
        "until": usable.until,
        "authorisation_id": usable.authorisation.pk if usable.authorisation else None,
        "photo_url": reverse("api:vcard_photo", kwargs={"owner_id": owner.pk}),
    }


def _application(application: Application | None) -> dict[str, Any] | None:
    if application is None:
        return None
    return {
        "id": application.pk,
        "person": _person(application.person),
        "kind": application.kind,
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "submitted_at": application.submitted_at,
        "rejection_reason": application.rejection_reason,
    }


def _authorisation(authorisation: Authorisation, now: dt.datetime) -> dict[str, Any]:
    state = authorisation.state(now)
    return {
        "id": authorisation.pk,
        "kind": authorisation.kind,
        "kind_label": str(authorisation.get_kind_display()),
        "state": state,
        "state_label": str(STATE_LABELS[state]),
        "grantor": _person(authorisation.grantor),
        "grantee": _person(authorisation.grantee),
        "provider": authorisation.provider.name if authorisation.provider else None,
        "starts_at": authorisation.starts_at,
        "ends_at": authorisation.ends_at,
        "consent_by": authorisation.consent_by,
    }


def _place_name(place: County | Township | None) -> str:
    if place is None:
        return ""
    return place.name_zh if get_language() == "zh-hant" else place.name_en


def _qr_svg(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=6, border=4)


# --- the card and applications ---------------------------------------------------------------


@router.get("", response={200: StatusOut, **ERRORS}, url_name="vcard_status")
def status(request: AppRequest) -> dict[str, Any]:
    """虛擬健保卡 home: the person's card (or their newest application) and their household,
    each member with their card or application (眷屬管理)."""
    me = _me(request)
    own = selectors.card_of(me)
    today = timezone.localdate()
    return {
        "card": _card(selectors.Usable(card=own, basis="self")) if own else None,
        "application": _application(selectors.latest_application(me)),
        "household": [
            {
                **_person(member),
                "age": member.age_on(today),
                "card_as_document": member.age_on(today) < rules.CARD_AS_DOCUMENT_UNDER,
                "has_card": hasattr(member, "virtual_card"),
                "application": _application(application),
            }
            for member, application in selectors.household_with_applications(me)
        ],
        "card_as_document": me.age_on(today) < rules.CARD_AS_DOCUMENT_UNDER,
    }


DocumentKind = Literal["id_card", "resident_certificate", "nhi_card"]  # Application.Document
FilledIn = Annotated[str, Field(min_length=1, max_length=254, pattern=NO_NUL)]
Photo = Annotated[UploadedFile, Field(json_schema_extra={"minLength": 1})]  # JPEG, PNG, HEIC


def _upload(file: UploadedFile) -> bytes:
    # Django has spooled a big upload to a temporary file: refuse it before reading it in.
    if (file.size or 0) > settings.VCARD_MAX_UPLOAD_BYTES:
        raise services.VcardError("too_large")
    data: bytes = file.read()
    return data


@router.post("/applications", response={201: dict, **ERRORS})
def apply(
    request: AppRequest,
    document: File[Photo],
    portrait: File[Photo],
    document_kind: Form[DocumentKind],
    contact_phone: Form[FilledIn],
    email: Form[FilledIn],
    terms: Form[bool] = False,
    # A household member's; absent: the person's own. (Form[int | None] would let the
    # document offer null, which the form cannot send.)
    member_id: Form[int] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any] | None]:
    """送出虛擬健保卡申請: the identity document and a front-facing half-body photo, with a
    contact phone and e-mail; for a household member without a phone, their id (依附眷屬)."""
    me = _me(request)
    person = me if member_id in (None, me.pk) else selectors.household_member(me, member_id)
    application = services.apply(
        applicant=me,
        person=person,
        document_kind=document_kind,
        document=_upload(document),
        portrait=_upload(portrait),
        contact_phone=contact_phone,
        email=email,
        terms_accepted=terms,
        address=client_address(request),
    )
    return Status(201, _application(application))


@router.get("/cards", response={200: list[dict[str, Any]], **ERRORS})
def cards(request: AppRequest) -> list[dict[str, Any]]:
    """我可使用: the cards the person may show now, their own first."""
    return [_card(usable) for usable in selectors.usable_cards(_me(request))]


@router.get("/cards/{owner_id}/photo", url_name="vcard_photo", response={200: None, **ERRORS})
def photo(request: AppRequest, owner_id: int) -> FileResponse:
    """The card's photo, to the card holder and whoever may use the card."""
    usable = selectors.usable_card(_me(request), owner_id)
    photo = images.open_photo(usable.card.portrait_image)
    response = FileResponse(photo, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/cards/{owner_id}/qr", response={201: QrOut, **ERRORS})
def qr_code(request: AppRequest, owner_id: int) -> Status[dict[str, Any]]:
    """出示 QR Code: a new one-time code, valid 5 minutes; the previous one stops working."""
    token, row = services.issue_qr(
        presenter=_me(request), owner_id=owner_id, address=client_address(request)
    )
    seconds = int((row.expires_at - row.issued_at).total_seconds())
    return Status(
        201,
        {
            "token": token,
            "qr_svg": _qr_svg(token),
            "expires_at": row.expires_at,
            "seconds": seconds,
        },
    )


# --- authorisations (授權與管理) --------------------------------------------------------------


@router.get("/authorisations", response={200: AuthorisationsOut, **ERRORS})
def authorisations(request: AppRequest) -> dict[str, list[dict[str, Any]]]:
    """我授權的, those naming me, and what waits for my agreement now."""
    me, now = _me(request), timezone.now()
    return {
        "granted": [_authorisation(a, now) for a in selectors.granted_by(me)],
        "received": [_authorisation(a, now) for a in selectors.granted_to(me)],
        "waiting": [_authorisation(a, now) for a in selectors.waiting_for(me, now)],
    }


@router.post("/authorisations", response={201: AuthorisedOut, **ERRORS})
def authorise(request: AppRequest, body: AuthoriseIn) -> Status[dict[str, Any]]:
    """新增授權對象: a specific person (returns the code to give them) or a household member
    (who agrees in their app within 10 minutes). The registration password is asked again."""
    me, address = _me(request), client_address(request)
    identity.confirm_password(
        account=request.auth.binding.account,
        password=body.password,
        session=request.auth.pair,  # the app's sign-in (tokens.py): too many wrong ends it
        purpose="vcard_authorise",
        method="password",
        address=address,
    )
    code = None
    if body.kind == "specific":  # Authorisation.Kind.SPECIFIC
        authorisation, code = services.authorise_specific(
            grantor=me,
            national_id=body.national_id,
            name=body.name,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            address=address,
        )
    elif body.kind == "household" and body.member_id is not None:  # Kind.HOUSEHOLD
        authorisation = services.authorise_household(
            grantor=me,
            grantee_id=body.member_id,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            address=address,
        )
    else:
        raise services.VcardError("not_household")
    return Status(
        201,
        {
            "authorisation": _authorisation(authorisation, timezone.now()),
            "code": code,
            "code_qr_svg": _qr_svg(services.CODE_PREFIX + code) if code else None,
        },
    )


@router.post("/authorisations/claim", response={200: AuthorisationOut, **ERRORS})
def claim(request: AppRequest, body: ClaimIn) -> dict[str, Any]:
    """取得授權: the code the card holder gave, scanned or typed."""
    authorisation = services.claim(
        grantee=_me(request), code=body.code, address=client_address(request)
    )
    return _authorisation(authorisation, timezone.now())


def _answer(
    action: Callable[..., Authorisation],
) -> Callable[[AppRequest, int], dict[str, Any]]:
    def endpoint(request: AppRequest, authorisation_id: int) -> dict[str, Any]:
        authorisation = action(
            person=_me(request),
            authorisation_id=authorisation_id,
            address=client_address(request),
        )
        return _authorisation(authorisation, timezone.now())

    endpoint.__doc__ = action.__doc__
    return endpoint


for _verb, _action in (
    ("agree", services.agree),
    ("decline", services.decline),
    ("revoke", services.revoke),
):
    router.post(
        f"/authorisations/{{authorisation_id}}/{_verb}",
        response={200: AuthorisationOut, **ERRORS},
        operation_id=f"vcard_{_verb}",
    )(_answer(_action))


# --- where it is accepted (哪些院所可以用) ------------------------------------------------------


@router.get("/sites", auth=None, response={200: SitesOut, **ERRORS})
def sites(
    request: HttpRequest,
    county: str = "",
    service: str = "",
    q: str = "",
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Providers that accept the virtual card, by county, service and name (public)."""
    found = selectors.accepting_sites(county=county, service=service, query=q.strip()[:50])
    limit, offset = page_bounds(limit, offset, most=200)
    results = []
    for site in found[offset : offset + limit]:
        provider = site.provider
        results.append(
            {
                "code": provider.code,
                "name": provider.name,
                "county": _place_name(provider.county),
                "township": _place_name(provider.township),
                "address": provider.address,
                "phone": provider.phone,
                "services": [str(SERVICE_LABELS[s]) for s in site.SERVICES if getattr(site, s)],
            }
        )
    counties = County.objects.filter(provider__vcard_site__isnull=False).distinct().order_by("code")
    return {
        "count": found.count(),
        "results": results,
        "counties": [{"code": c.code, "name": _place_name(c)} for c in counties],
        "services": [{"code": code, "label": str(label)} for code, label in SERVICE_LABELS.items()],
    }
