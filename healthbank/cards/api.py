"""申辦健保卡作業 in the app's 行動櫃檯 (/api/v1/counter/cards/): the person's cards and
applications, the lost-card report and an application for a card. The same forms check the
input and the same services write as on the website (views.py); only the answer is JSON.
Mounted by healthbank/apis.py, which answers CardsRefused as the API's `{code, message}`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from healthbank.audit.services import client_address
from healthbank.cards import rules, selectors, services
from healthbank.cards.forms import ApplicationForm, LostReportForm
from healthbank.cards.models import CardApplication
from healthbank.core.schemas import Body, ErrorOut
from healthbank.external.bank import BANKS
from healthbank.files import images
from healthbank.identity import appcounter
from healthbank.identity.appcounter import AppRequest
from healthbank.identity.review import OPEN
from healthbank.people.addresses import postal_address
from healthbank.people.models import NhiCard

router = Router(tags=["mobile counter"])
ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 413, 422, 429)}

# HTTP status of each refusal (apis.py); anything else is 422, a rule the document cannot
# state. A form's field refused is `invalid_<field>`.
STATUS = {
    "open_application": 409,
    "nothing_to_report": 409,
    "too_large": 413,
}

REPORTED = _(
    "Your card is reported lost and no longer works anywhere. You can apply for a replacement now."
)


class NhiCardOut(Schema):
    id: int
    number: str = Field(description="Masked: the first four digits")
    status: str
    status_label: str
    issued_on: str


class CardApplicationOut(Schema):
    id: int
    reason: str
    reason_label: str
    status: str
    status_label: str
    submitted_at: str
    delivery: str
    delivery_label: str
    office: str
    postal_address: str
    fee: int
    rejection_reason: str


class FeeChoiceOut(Schema):
    value: str
    label: str
    fee: int = 0


class CardsOut(Schema):
    cards: list[NhiCardOut]
    valid_card: NhiCardOut | None
    applications: list[CardApplicationOut]
    open_application: int | None
    reasons: list[FeeChoiceOut]
    deliveries: list[FeeChoiceOut]
    offices: list[FeeChoiceOut]
    banks: list[FeeChoiceOut]
    postal_address: str | None
    asks_again: list[str] = Field(description="Reasons whose application asks the password")


class LostIn(Body):
    confirm: StrictBool = False
    password: str = Field("", max_length=128)


class LostOut(Schema):
    card: NhiCardOut
    message: str


def _card(card: NhiCard) -> dict[str, Any]:
    return {
        "id": card.pk,
        "number": services.masked(card),
        "status": card.status,
        "status_label": str(card.get_status_display()),
        "issued_on": card.issued_on.isoformat(),
    }


def _application(application: CardApplication) -> dict[str, Any]:
    return {
        "id": application.pk,
        "reason": application.reason,
        "reason_label": str(application.get_reason_display()),
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "submitted_at": application.submitted_at.isoformat(),
        "delivery": application.delivery,
        "delivery_label": str(application.get_delivery_display()),
        "office": " ".join(filter(None, [application.office_name, application.office_phone])),
        "postal_address": " ".join(
            filter(None, [application.postal_code, application.postal_address])
        ),
        "fee": application.fee,
        "rejection_reason": application.rejection_reason,
    }


def _form_refusal(form: forms.BaseForm) -> services.CardsRefused:
    """The form's first error, as the page would show it next to its field."""
    field, errors = next(iter(form.errors.items()))
    code = "invalid_form" if field == "__all__" else f"invalid_{field}"
    return services.CardsRefused(code, str(errors[0]))


@router.get("/cards", response={200: CardsOut, **ERRORS})
def cards(request: AppRequest) -> dict[str, Any]:
    """申辦健保卡作業: the person's cards and applications, and what an application offers."""
    person = appcounter.person_of(request)
    applications = list(selectors.applications_of(person))
    valid = selectors.valid_card(person)
    postal = postal_address(person)
    appcounter.audit_page(request, "cards:card")
    return {
        "cards": [_card(c) for c in selectors.cards_of(person)],
        "valid_card": _card(valid) if valid else None,
        "applications": [_application(a) for a in applications],
        "open_application": next((a.pk for a in applications if a.status in OPEN), None),
        "reasons": [
            {"value": r.value, "label": str(r.label), "fee": rules.fee_for(r)}
            for r in rules.ONLINE_REASONS
        ],
        "deliveries": [
            {"value": value, "label": str(label)}
            for value, label in CardApplication.Delivery.choices
        ],
        "offices": [
            {"value": key, "label": f"{name} {phone}"}
            for key, (name, phone) in rules.OFFICES.items()
        ],
        # The application form's bank choices (external.forms.BankField), named alike.
        "banks": [{"value": code, "label": f"{code} {name}"} for code, name in BANKS.items()],
        "postal_address": f"{postal.postal_code} {postal.address}".strip() if postal else None,
        "asks_again": [r.value for r in rules.ONLINE_REASONS if rules.asks_again_to_apply(r)],
    }


@router.get("/cards/applications/{application_id}", response={200: CardApplicationOut, **ERRORS})
def application(request: AppRequest, application_id: int) -> dict[str, Any]:
    """One of the person's applications; anyone else's is a 404."""
    found = selectors.application_of(appcounter.person_of(request), application_id)
    appcounter.audit_page(request, "cards:card_application")
    return _application(found)


@router.post("/cards/lost", response={200: LostOut, **ERRORS})
def report_lost(request: AppRequest, body: LostIn) -> dict[str, Any]:
    """健保卡掛失: confirmed, the password asked again, then the same report as the website's:
    the card stops working at once everywhere (sign-in with the card, the card agent, the
    app's phone verification)."""
    form = LostReportForm({"confirm": body.confirm} if body.confirm else {})
    if not form.is_valid():
        raise _form_refusal(form)
    appcounter.confirm_password(request, body.password, rules.LOST_PURPOSE)
    card = services.report_lost(
        person=appcounter.person_of(request), address=client_address(request)
    )
    appcounter.audit_page(request, "cards:card_lost", changed=True)
    return {"card": _card(card), "message": str(REPORTED)}


# The body as the website's form reads it (multipart/form-data): documented here, read by
# ApplicationForm, so a missing or bad field gets the page's words (422), not a bare 400.
APPLICATION_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "reason": {"type": "string", "enum": list(map(str, rules.ONLINE_REASONS))},
                        "delivery": {
                            "type": "string",
                            "enum": list(CardApplication.Delivery.values),
                        },
                        "office": {"type": "string", "description": "For pick-up"},
                        "bank_code": {"type": "string", "description": "Where the fee is charged"},
                        "account_number": {"type": "string"},
                        "password": {
                            "type": "string",
                            "description": "Asked again where the fee is charged",
                        },
                        "photo": {"type": "string", "format": "binary"},
                    },
                    "required": ["reason", "delivery", "photo"],
                }
            }
        },
    }
}


@router.post(
    "/cards/applications",
    response={201: CardApplicationOut, **ERRORS},
    openapi_extra=APPLICATION_BODY,
)
def apply(request: AppRequest) -> Status[dict[str, Any]]:
    """申請健保卡 (multipart): the website's form and rules (the ID photo checked and
    re-encoded, the fee taken from the person's account where charged, and then the password
    asked again), filed for NHIA staff to review."""
    upload = request.FILES.get("photo")
    if upload is not None and (upload.size or 0) > settings.VCARD_MAX_UPLOAD_BYTES:
        raise services.CardsRefused("too_large", images.ImageRefused("too_large").message)
    form = ApplicationForm(request.POST, request.FILES)
    if not form.is_valid():
        raise _form_refusal(form)
    cleaned = form.cleaned_data
    if rules.asks_again_to_apply(cleaned["reason"]):
        appcounter.confirm_password(request, request.POST.get("password", ""), rules.APPLY_PURPOSE)
    filed = services.apply(
        person=appcounter.person_of(request),
        reason=cleaned["reason"],
        photo=cleaned["photo"],
        delivery=cleaned["delivery"],
        office=cleaned["office"],
        bank_code=cleaned["bank_code"],
        account_number=cleaned["account_number"],
        address=client_address(request),
    )
    appcounter.audit_page(request, "cards:card_apply", changed=True)
    return Status(201, _application(filed))
