"""Premiums and the mailing address in the app's 行動櫃檯 (/api/v1/counter/): the unpaid bills
with what is owed, the latest bill and the premiums paid by transfer (the website's
個人未繳保費查詢 and 轉帳繳納保費明細 pages), and 通訊地址變更 with the website's form and
services. Mounted by healthbank/apis.py, which answers BillingRefused as `{code, message}`."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from healthbank.billing import documents, selectors, services
from healthbank.billing.forms import AddressForm
from healthbank.billing.services import BillingRefused
from healthbank.core.pdf import page_language, pdf_response
from healthbank.core.schemas import Body, ErrorOut
from healthbank.identity import appcounter
from healthbank.identity.appcounter import AppRequest
from healthbank.people.addresses import current_mailing_address
from healthbank.people.models import County

router = Router(tags=["mobile counter"])
ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 413, 422, 429)}
STATUS = {"address_unchanged": 409, "no_mailing_address": 409}  # apis.py; else 422


class BillOut(Schema):
    id: int
    month: str
    amount: int
    paid: int
    owed: int
    due_date: str
    overdue: bool
    in_plan: bool


class PaymentOut(Schema):
    paid_on: str
    month: str | None
    amount: int


class PremiumsOut(Schema):
    unpaid: list[BillOut]
    total: int = Field(description="Owed on every unpaid bill (NT$)")
    overdue_total: int = Field(description="Owed on the bills past their due date (NT$)")
    latest: BillOut | None = Field(description="The bill of the latest month billed")
    years: list[int] = Field(description="Years with premiums paid by transfer, latest first")
    year: int | None
    payments: list[PaymentOut]


class PlaceOut(Schema):
    value: str
    label: str


class AddressOut(Schema):
    registered: str | None
    mailing: str | None = Field(description="The mailing address in use, if one was given")
    since: str | None
    counties: list[PlaceOut]


class AddressIn(Body):
    county: str = Field("", max_length=5)
    township: str = Field("", max_length=8)
    village: str = Field("", max_length=12)
    neighbourhood: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    street_address: str = Field("", max_length=200)


def _bill(unpaid: selectors.UnpaidBill) -> dict[str, Any]:
    bill = unpaid.bill
    return {
        "id": bill.pk,
        "month": bill.month.isoformat(),
        "amount": bill.amount,
        "paid": unpaid.paid,
        "owed": unpaid.owed,
        "due_date": bill.due_date.isoformat(),
        "overdue": unpaid.overdue,
        "in_plan": unpaid.plan is not None,
    }


@router.get("/premiums", response={200: PremiumsOut, **ERRORS})
def premiums(request: AppRequest) -> dict[str, Any]:
    """保費查詢: what is owed and since when, the latest bill, and the latest year's payments
    by transfer."""
    return _premiums(request, None)


# The year is in the path, not the query: the API's only query parameters are public ones
# (an authenticated GET taking none keeps the fuzzing's negative cases meaningful).
@router.get("/premiums/paid/{year}", response={200: PremiumsOut, **ERRORS})
def premiums_of_year(request: AppRequest, year: int) -> dict[str, Any]:
    """保費查詢 with one year's payments by transfer (the latest such year if it has none)."""
    return _premiums(request, year)


def _premiums(request: AppRequest, year: int | None) -> dict[str, Any]:
    person, today = appcounter.person_of(request), timezone.localdate()
    bills = selectors.unpaid_bills(person, today)
    latest = selectors.latest_bill(person)
    years = selectors.transfer_years(person)
    if year not in years:
        year = years[0] if years else None
    payments = list(selectors.transfers_of(person, year)) if year else []
    appcounter.audit_page(request, "billing:unpaid")
    paid = selectors.paid_amount(person, latest) if latest else 0
    return {
        "unpaid": [_bill(u) for u in bills],
        "total": sum(u.owed for u in bills),
        "overdue_total": sum(u.owed for u in bills if u.overdue),
        "latest": _bill(selectors.UnpaidBill(latest, paid, today)) if latest else None,
        "years": years,
        "year": year,
        "payments": [
            {
                "paid_on": p.paid_on.isoformat(),
                "month": p.bill.month.isoformat() if p.bill_id else None,
                "amount": p.amount,
            }
            for p in payments
        ],
    }


@router.get(
    "/premiums/bills/{bill_id}/slip",
    response={200: None, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def bill_slip(request: AppRequest, bill_id: int) -> HttpResponse:
    """One unpaid bill's payment slip (PDF), as the website prints it; a paid bill, a bill
    in a plan or anyone else's is a 404."""
    person, today = appcounter.person_of(request), timezone.localdate()
    bill = selectors.unpaid_bill(person, bill_id, today)
    if bill is None or bill.plan is not None:
        raise Http404
    pdf = documents.bills_slip_pdf(
        person, [bill], today=today, language=page_language(), together=False
    )
    appcounter.audit_page(request, "billing:unpaid_slip")
    response = pdf_response(pdf, f"slip_{bill.bill.month:%Y%m}.pdf", attachment=False)
    response["Cache-Control"] = "private, no-store"
    return response


def _address(request: AppRequest) -> dict[str, Any]:
    person = appcounter.person_of(request)
    mailing = current_mailing_address(person)
    household = person.household
    english = page_language() == "en"
    return {
        "registered": household.address if household else None,
        "mailing": mailing.address if mailing else None,
        "since": mailing.since.isoformat() if mailing else None,
        "counties": [
            {"value": c.code, "label": c.name_en if english else c.name_zh}
            for c in County.objects.all()
        ],
    }


@router.get("/address", response={200: AddressOut, **ERRORS})
def address(request: AppRequest) -> dict[str, Any]:
    """通訊地址變更: the registered and the mailing address; the townships and villages of
    the selects come from /register/divisions/, as on the website."""
    appcounter.audit_page(request, "billing:address")
    return _address(request)


@router.post("/address", response={200: AddressOut, **ERRORS})
def change_address(request: AppRequest, body: AddressIn) -> dict[str, Any]:
    """A new mailing address, effective at once: the website's form checks it, its service
    writes (audited, a notice and an e-mail confirm)."""
    data = body.dict()
    if data["neighbourhood"] is None:
        data["neighbourhood"] = ""
    form = AddressForm(data)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        code = "invalid_form" if field == "__all__" else f"invalid_{field}"
        raise _FormRefused(code, str(errors[0]))
    cleaned = form.cleaned_data
    services.change_mailing_address(
        person=appcounter.person_of(request),
        village=cleaned["village"],
        neighbourhood=cleaned["neighbourhood"],
        street_address=cleaned["street_address"],
    )
    appcounter.audit_page(request, "billing:address", changed=True)
    return _address(request)


@router.post("/address/registered", response={200: AddressOut, **ERRORS})
def use_registered(request: AppRequest) -> Status[dict[str, Any]]:
    """Post goes to the registered address again from today."""
    services.use_registered_address(person=appcounter.person_of(request))
    appcounter.audit_page(request, "billing:address", changed=True)
    return Status(200, _address(request))


class _FormRefused(BillingRefused):
    """The form's first error, worded as the page words it next to the field."""

    def __init__(self, code: str, message: str):
        Exception.__init__(self, code)
        self.code, self.params, self._message = code, {}, message

    @property
    def message(self) -> str:
        return self._message
