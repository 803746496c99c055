"""The billing e-services under /eservice/billing/: unpaid premiums with their slips and
simple instalments, this month's e-bill, bill delivery, transfers and supplementary
premium bills, and notices. Thin: forms check the input, services write, selectors read
the signed-in person's rows only (anyone else's row is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from healthbank.billing import documents, rules, selectors, services
from healthbank.billing.forms import (
    AddressForm,
    DebitForm,
    DeliveryForm,
    EbillForm,
    InstalmentForm,
)
from healthbank.billing.services import BillingRefused
from healthbank.core.http import posted
from healthbank.core.pdf import page_language, pdf_response
from healthbank.core.typed import ascii_typed, is_ascii_digits
from healthbank.external.bank import BANKS
from healthbank.identity.eservice import SITE, eservice_page
from healthbank.identity.models import Account
from healthbank.people.addresses import current_mailing_address


def _pdf(content: bytes, name: str) -> HttpResponse:
    return pdf_response(content, name, attachment=False)  # slips and notices open to print


# --- unpaid premiums and simple instalments ----------------------------------------------


@require_GET
@eservice_page
def unpaid(request: HttpRequest, account: Account) -> HttpResponse:
    """個人未繳保費查詢/下載/簡易分期申請: the unpaid bills with their totals and slips, the
    plans, and the instalment form for the arrears in no plan."""
    today = timezone.localdate()
    person = account.person
    bills = selectors.unpaid_bills(person, today)
    plannable = [u for u in bills if u.overdue and u.plan is None]
    arrears = sum(u.owed for u in plannable)
    context = {
        "bills": bills,
        "total": sum(u.owed for u in bills),
        "overdue_total": sum(u.owed for u in bills if u.overdue),
        "payable": [u for u in bills if u.plan is None],
        "plannable": plannable,
        "arrears": arrears,
        "counts": range(rules.MINIMUM_INSTALMENTS, services.maximum_instalments(arrears) + 1),
        "plans": selectors.plans_of(person),
        "rules": rules,
        "site": SITE,
    }
    return render(request, "billing/unpaid.html", context)


@require_http_methods(["GET", "POST"])
@eservice_page
def unpaid_instalments(request: HttpRequest, account: Account) -> HttpResponse:
    """The schedule of the chosen bills in the chosen number of instalments (GET), and the
    application (POST)."""
    person = account.person
    today = timezone.localdate()
    form = InstalmentForm(request.POST if request.method == "POST" else request.GET)
    refusal, parts, chosen = "", [], []
    if form.is_valid():
        bill_ids, count = form.cleaned_data["bills"], form.cleaned_data["count"]
        try:
            if request.method == "POST":
                plan = services.apply_instalments(person=person, bill_ids=bill_ids, count=count)
                messages.success(
                    request,
                    _(
                        "Your instalment plan is approved. Its schedule was e-mailed to you and "
                        "is in your notices; each instalment's slip is below."
                    ),
                )
                return redirect("billing:unpaid_plan", plan.pk)
            chosen = services.chosen_arrears(person, bill_ids, today)
            parts = services.schedule(sum(u.owed for u in chosen), count, today)
        except BillingRefused as exc:
            refusal = exc.message
    else:
        refusal = " ".join(str(e) for errors in form.errors.values() for e in errors)
    context = {
        "form": form,
        "refusal": refusal,
        "chosen": chosen,
        "parts": parts,
        "arrears": sum(u.owed for u in chosen),
        "site": SITE,
    }
    return render(request, "billing/instalments.html", context, status=400 if refusal else 200)


@require_GET
@eservice_page
def unpaid_slip(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    """One unpaid bill's payment slip (PDF); a paid bill or anyone else's is a 404."""
    today = timezone.localdate()
    bill = selectors.unpaid_bill(account.person, pk, today)
    if bill is None or bill.plan is not None:
        raise Http404
    pdf = documents.bills_slip_pdf(
        account.person, [bill], today=today, language=page_language(), together=False
    )
    return _pdf(pdf, f"slip_{bill.bill.month:%Y%m}.pdf")


@require_GET
@eservice_page
def unpaid_slip_all(request: HttpRequest, account: Account) -> HttpResponse:
    """One slip for all the unpaid bills in no plan."""
    today = timezone.localdate()
    bills = [u for u in selectors.unpaid_bills(account.person, today) if u.plan is None]
    if not bills:
        raise Http404
    pdf = documents.bills_slip_pdf(
        account.person, bills, today=today, language=page_language(), together=True
    )
    return _pdf(pdf, f"slip_all_{today:%Y%m%d}.pdf")


@require_GET
@eservice_page
def unpaid_plan(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    plan = selectors.plan_of(account.person, pk)
    if plan is None:
        raise Http404
    return render(request, "billing/plan.html", {"plan": plan, "site": SITE})


@require_GET
@eservice_page
def unpaid_plan_slip(request: HttpRequest, account: Account, pk: int, number: int) -> HttpResponse:
    plan = selectors.plan_of(account.person, pk)
    part = next((p for p in plan.parts.all() if p.number == number), None) if plan else None
    if part is None:
        raise Http404
    pdf = documents.part_slip_pdf(
        account.person, part, today=timezone.localdate(), language=page_language()
    )
    return _pdf(pdf, f"instalment_{plan.pk}_{number}.pdf")  # type: ignore[union-attr]


# --- this month's e-bill and bill delivery ---------------------------------------------------


def _email_of(account: Account) -> str:
    return account.email or account.person.email


@require_http_methods(["GET", "POST"])
@eservice_page
def ebill(request: HttpRequest, account: Account) -> HttpResponse:
    """當月電子繳款單申請/下載: this month's bill as an e-bill, and applying for e-bills."""
    person = account.person
    delivery = selectors.delivery_of(person)
    form = EbillForm(posted(request), initial={"email": delivery.email or _email_of(account)})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.apply_ebill(person=person, email=form.cleaned_data["email"])
        except BillingRefused as exc:
            refusal = exc.message
        else:
            messages.success(
                request,
                _(
                    "You have applied for e-bills: each month's bill is here to download, and "
                    "a reminder comes by e-mail. Paper bills stop."
                ),
            )
            return redirect("billing:ebill")
    bill = selectors.latest_bill(person)
    paid = selectors.paid_amount(person, bill) if bill else 0
    context = {
        "bill": bill,
        "paid": paid,
        "owed": bill.amount - paid if bill else 0,
        "delivery": delivery,
        "form": form,
        "refusal": refusal,
        "site": SITE,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "billing/ebill.html", context, status=status)


@require_GET
@eservice_page
def ebill_pdf(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    bill = selectors.latest_bill(account.person)
    if bill is None or bill.pk != pk:
        raise Http404
    pdf = documents.ebill_pdf(
        account.person,
        bill,
        selectors.paid_amount(account.person, bill),
        today=timezone.localdate(),
        language=page_language(),
    )
    return _pdf(pdf, f"ebill_{bill.month:%Y%m}.pdf")


@require_http_methods(["GET", "POST"])
@eservice_page
def delivery(request: HttpRequest, account: Account) -> HttpResponse:
    """繳款單寄發週期申請/變更: how and how often bills come, and the changes so far."""
    person = account.person
    current = selectors.delivery_of(person)
    form = DeliveryForm(
        posted(request),
        initial={
            "method": current.method,
            "cycle": current.cycle,
            "email": current.email or _email_of(account),
        },
    )
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.change_delivery(person=person, **form.cleaned_data)
        except BillingRefused as exc:
            refusal = exc.message
        else:
            messages.success(request, _("Your bills will come as you chose from the next bill."))
            return redirect("billing:delivery")
    context = {
        "form": form,
        "refusal": refusal,
        "current": current,
        "history": selectors.delivery_history(person),
        "site": SITE,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "billing/delivery.html", context, status=status)


# --- transfers and supplementary premium bills -------------------------------------------


def _year(request: HttpRequest, years: list[int]) -> tuple[int, str]:
    """The year asked for, or the latest with transfers (and why, when the asked one is not
    a year)."""
    default = years[0] if years else timezone.localdate().year
    text = ascii_typed(request.GET.get("year", "")).strip()
    if not text:
        return default, ""
    if not is_ascii_digits(text) or not 1995 <= int(text) <= 9999:
        return default, _("The year must be a year such as %(year)s; the latest is shown.") % {
            "year": default
        }
    return int(text), ""


@require_GET
@eservice_page
def transfers(request: HttpRequest, account: Account) -> HttpResponse:
    """轉帳繳納保費、股利利息繳款單明細表查詢/列印."""
    person = account.person
    years = selectors.transfer_years(person)
    year, refusal = _year(request, years)
    rows = list(selectors.transfers_of(person, year))
    context = {
        "years": years,
        "year": year,
        "refusal": refusal,
        "transfers": rows,
        "transfers_total": sum(p.amount for p in rows),
        "supplementary": selectors.supplementary_bills_of(person),
        "rate": f"{rules.SUPPLEMENTARY_RATE * 100:.2f}%",
        "site": SITE,
    }
    return render(request, "billing/transfers.html", context)


@require_GET
@eservice_page
def transfers_pdf(request: HttpRequest, account: Account) -> HttpResponse:
    person = account.person
    year, _refusal = _year(request, selectors.transfer_years(person))
    pdf = documents.statement_pdf(
        person,
        year=year,
        transfers=selectors.transfers_of(person, year),
        supplementary=selectors.supplementary_bills_of(person),
        today=timezone.localdate(),
        language=page_language(),
    )
    return _pdf(pdf, f"transfers_{year}.pdf")


@require_GET
@eservice_page
def transfers_supplementary(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    bill = selectors.supplementary_bill_of(account.person, pk)
    if bill is None:
        raise Http404
    pdf = documents.supplementary_slip_pdf(
        account.person, bill, today=timezone.localdate(), language=page_language()
    )
    return _pdf(pdf, f"supplementary_{bill.income_year}_{bill.pk}.pdf")


# --- notices ---------------------------------------------------------------------------


@require_GET
@eservice_page
def notices(request: HttpRequest, account: Account) -> HttpResponse:
    """已發送通知函查詢/列印."""
    rows = selectors.notices_of(account.person)
    return render(request, "billing/notices.html", {"notices": rows, "site": SITE})


@require_GET
@eservice_page
def notices_pdf(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    notice = selectors.notice_of(account.person, pk)
    if notice is None:
        raise Http404
    pdf = documents.notice_pdf(account.person, notice, language=page_language())
    return _pdf(pdf, f"notice_{notice.sent_on:%Y%m%d}_{notice.pk}.pdf")


# --- mailing address -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@eservice_page
def address(request: HttpRequest, account: Account) -> HttpResponse:
    """通訊地址變更: the registered and the mailing address, a new mailing address (effective
    at once), or back to the registered address."""
    person = account.person
    form = AddressForm(posted(request) if request.POST.get("action") != "registered" else None)
    refusal = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "registered":
                services.use_registered_address(person=person)
                messages.success(
                    request, _("Your post goes to your registered address again from today.")
                )
                return redirect("billing:address")
            if form.is_valid():
                data = form.cleaned_data
                services.change_mailing_address(
                    person=person,
                    village=data["village"],
                    neighbourhood=data["neighbourhood"],
                    street_address=data["street_address"],
                )
                messages.success(
                    request,
                    _(
                        "Your mailing address is changed: notices, bills and NHI cards go "
                        "there from today. A confirmation was e-mailed to you."
                    ),
                )
                return redirect("billing:address")
        except BillingRefused as exc:
            refusal = exc.message
    context = {
        "form": form,
        "refusal": refusal,
        "household": person.household,
        "mailing": current_mailing_address(person),
        "history": selectors.mailing_addresses_of(person),
        "site": SITE,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "billing/address.html", context, status=status)


# --- one-time direct debit ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@eservice_page
def debit(request: HttpRequest, account: Account) -> HttpResponse:
    """保險費單次約定轉帳: choose unpaid bills and an account of one's own; the bank is asked
    in the background and the debit's page shows its answer."""
    person = account.person
    today = timezone.localdate()
    form = DebitForm(posted(request))
    refusal = ""
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.request_debit(
                    person=person,
                    bill_ids=data["bills"],
                    bank_code=data["bank_code"],
                    account_number=data["account_number"],
                )
            except BillingRefused as exc:
                refusal = exc.message
            else:
                messages.success(
                    request,
                    _("Your bank is being asked for the payment; the result shows here shortly."),
                )
                return redirect("billing:debit_status", row.pk)
        else:
            refusal = " ".join(str(e) for e in form.errors.get("bills", []))
    chosen = set(form.data.get("bills") or []) if form.is_bound else set()
    context = {
        "form": form,
        "refusal": refusal,
        "bills": selectors.debitable_bills(person, today),
        "chosen": chosen,
        "debits": selectors.debits_of(person),
        "site": SITE,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "billing/debit.html", context, status=status)


@require_GET
@eservice_page
def debit_status(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    """One debit: its bills, and the bank's answer (the page refreshes while it waits)."""
    row = selectors.debit_of(account.person, pk)
    if row is None:
        raise Http404
    context = {
        "debit": row,
        "bank": BANKS.get(row.bank_code, ""),
        "waiting": row.status == row.Status.REQUESTED,
        "refresh": rules.DEBIT_REFRESH_SECONDS,
        "site": SITE,
    }
    return render(request, "billing/debit_status.html", context)
