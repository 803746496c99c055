"""The virtual card in the providers' API (/providers/api/v1/vcard/): verify a scanned QR
code, fetch the photo it showed, and ask a person to let the clinic use their card (seed 004).
Only providers registered as accepting the virtual card may call these."""

from __future__ import annotations

from typing import Any, Protocol

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Status

from healthbank.audit.services import client_address
from healthbank.core.schemas import ErrorOut
from healthbank.records.models import Provider
from healthbank.vcard import services
from healthbank.vcard.models import Authorisation
from healthbank.vcard.schemas import CardReadOut, ClinicRequestIn, ClinicRequestOut, QrVerifyIn

router = Router(tags=["virtual card"])
ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 410)}


class SignedIn(Protocol):
    """What the providers' API signs in with: ingest's credential, described here and not
    imported, as the virtual card does not depend on ingest."""

    provider: Provider


class ProviderRequest(HttpRequest):
    """A request the providers' API let in: ninja sets `auth` to the caller's credential."""

    auth: SignedIn


def _provider(request: ProviderRequest) -> Provider:
    provider = request.auth.provider
    if not services.accepts_card(provider):
        raise services.VcardError("not_accepting")
    return provider


def _read(read: services.CardRead) -> dict[str, Any]:
    person, enrolment = read.person, read.enrolment
    return {
        "national_id": person.national_id,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "photo_url": reverse("providers_api:vcard_photo", kwargs={"ticket": read.photo_ticket}),
        "eligibility": {
            "insured": enrolment is not None and enrolment.status == enrolment.Status.ACTIVE,
            "status": enrolment.status if enrolment else None,
            "category": enrolment.category if enrolment else None,
            "since": enrolment.start_date if enrolment else None,
        },
        "presented_by": "self" if read.presented_by.pk == person.pk else read.presented_by.name,
        "basis": read.basis,
        "verified_at": read.at,
    }


@router.post("/verify", response={200: CardReadOut, **ERRORS})
def verify(request: ProviderRequest, body: QrVerifyIn) -> dict[str, Any]:
    """Read a scanned QR code: identity, photo and cover. The code works once, within 5
    minutes; a second scan is refused with qr_used."""
    read = services.verify_qr(
        provider=_provider(request), token=body.token, address=client_address(request)
    )
    return _read(read)


@router.get("/photos/{ticket}", url_name="vcard_photo", response={200: None, **ERRORS})
def photo(request: ProviderRequest, ticket: str) -> FileResponse:
    """The photo of the card just verified (JPEG), for 10 minutes after the verification."""
    photo = services.photo_for(_provider(request), ticket)
    response = FileResponse(photo, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


def _request_out(authorisation: Authorisation, read: services.CardRead | None) -> dict[str, Any]:
    return {
        "id": authorisation.pk,
        "state": authorisation.state(timezone.now()),
        "consent_by": authorisation.consent_by,
        "usable_until": authorisation.ends_at,
        "card": _read(read) if read else None,
    }


@router.post("/requests", response={201: ClinicRequestOut, **ERRORS})
def ask(request: ProviderRequest, body: ClinicRequestIn) -> Status[dict[str, Any]]:
    """院所發送授權請求: the person sees it in the app and has 10 minutes to agree; then the
    clinic may read the card for 1 hour."""
    authorisation = services.request_by_clinic(
        provider=_provider(request),
        national_id=body.national_id,
        address=client_address(request),
    )
    return Status(201, _request_out(authorisation, None))


@router.get("/requests/{request_id}", response={200: ClinicRequestOut, **ERRORS})
def follow(request: ProviderRequest, request_id: int) -> dict[str, Any]:
    """Where a request stands; while the person's agreement lasts, the card too (each read is
    recorded in the person's audit log)."""
    provider = _provider(request)
    authorisation = services.clinic_request(provider=provider, request_id=request_id)
    read = None
    if authorisation.state(timezone.now()) == "active":
        read = services.use_by_clinic(
            provider=provider, authorisation=authorisation, address=client_address(request)
        )
    return _request_out(authorisation, read)
