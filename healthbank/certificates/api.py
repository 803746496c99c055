"""中英文投保證明 and 保險費繳納證明 in the app's 行動櫃檯 (/api/v1/counter/certificates/): what
the website offers, issuing one (the same services: made, signed, kept and audited) and its
signed PDF, the same file the website hands out. Mounted by healthbank/apis.py, which
answers CertificateRefused as the API's `{code, message}`."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from healthbank.audit.services import client_address
from healthbank.certificates import rules, selectors, services
from healthbank.certificates.forms import year_label
from healthbank.certificates.models import Certificate
from healthbank.core.pdf import pdf_response
from healthbank.core.schemas import Body, ErrorOut
from healthbank.identity import appcounter
from healthbank.identity.appcounter import AppRequest

router = Router(tags=["mobile counter"])
ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 413, 422, 429)}
STATUS = {"throttled": 429}  # apis.py; anything else is 422
# The web pages these screens are (identity.eservice_menu), named in the access record.
PAGES: dict[str, str] = {
    Certificate.Kind.INSURANCE: "certificates:insurance",
    Certificate.Kind.PREMIUMS: "certificates:premiums",
}


class ChoiceOut(Schema):
    value: str
    label: str


class YearOut(Schema):
    value: int
    label: str


class CertificateOut(Schema):
    id: int
    kind: str
    kind_label: str
    language: str
    issued_at: str
    valid_until: str
    code: str = Field(description="The verification code, as printed")
    file_name: str


class OfferedOut(Schema):
    languages: list[ChoiceOut]
    premium_years: list[YearOut]
    default_year: int | None
    premiums_refusal: str = Field(description="Why no certificate of premiums can be issued")
    issued: list[CertificateOut]


class InsuranceIn(Body):
    language: Certificate.Language
    with_dependants: StrictBool = False


class PremiumsIn(Body):
    year: int
    language: Certificate.Language = Certificate.Language.CHINESE


def _certificate(certificate: Certificate) -> dict[str, Any]:
    return {
        "id": certificate.pk,
        "kind": certificate.kind,
        "kind_label": str(certificate.get_kind_display()),
        "language": certificate.language,
        "issued_at": certificate.issued_at.isoformat(),
        "valid_until": certificate.valid_until.isoformat(),
        "code": certificate.code_shown,
        "file_name": certificate.file_name,
    }


@router.get("/certificates", response={200: OfferedOut, **ERRORS})
def offered(request: AppRequest) -> dict[str, Any]:
    """What the two certificate pages offer: the languages, the years with premiums paid (the
    one offered first) and the person's certificates still valid, newest first."""
    person, today = appcounter.person_of(request), timezone.localdate()
    years = selectors.premium_years(person)
    issued = [
        *selectors.certificates_of(person, today, Certificate.Kind.INSURANCE),
        *selectors.certificates_of(person, today, Certificate.Kind.PREMIUMS),
    ]
    issued.sort(key=lambda c: c.issued_at, reverse=True)
    appcounter.audit_page(request, PAGES[Certificate.Kind.INSURANCE])
    return {
        "languages": [
            {"value": v, "label": str(label)} for v, label in Certificate.Language.choices
        ],
        "premium_years": [{"value": y, "label": year_label(y)} for y in years],
        "default_year": rules.default_year(years, today),
        "premiums_refusal": "" if years else services.CertificateRefused("no_premiums").message,
        "issued": [_certificate(c) for c in issued],
    }


@router.post("/certificates/insurance", response={201: CertificateOut, **ERRORS})
def issue_insurance(request: AppRequest, body: InsuranceIn) -> Status[dict[str, Any]]:
    """中英文投保證明: issued now; its PDF at /certificates/{id}/pdf."""
    certificate = services.issue_insurance_certificate(
        person=appcounter.person_of(request),
        language=body.language,
        with_dependants=body.with_dependants,
        address=client_address(request),
    )
    return Status(201, _certificate(certificate))


@router.post("/certificates/premiums", response={201: CertificateOut, **ERRORS})
def issue_premiums(request: AppRequest, body: PremiumsIn) -> Status[dict[str, Any]]:
    """保險費繳納證明 of a year in which the person paid premiums."""
    certificate = services.issue_premiums_certificate(
        person=appcounter.person_of(request),
        year=body.year,
        language=body.language,
        address=client_address(request),
    )
    return Status(201, _certificate(certificate))


@router.get(
    "/certificates/{certificate_id}/pdf",
    response={200: None, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def certificate_pdf(request: AppRequest, certificate_id: int) -> HttpResponse:
    """One's own certificate, the same signed file; anyone else's is a 404."""
    person = appcounter.person_of(request)
    found = next(
        (
            c
            for kind in PAGES
            if (c := selectors.certificate_of(person, certificate_id, kind)) is not None
        ),
        None,
    )
    if found is None:
        raise Http404
    appcounter.audit_page(request, f"{PAGES[found.kind]}_download")
    response = pdf_response(bytes(found.pdf), found.file_name)
    response["Cache-Control"] = "private, no-store"
    return response
