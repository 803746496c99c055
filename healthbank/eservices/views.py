"""The personal e-services' queries (個人健保資料網路服務作業) under /eservice/services/: each
page reads through a selector that takes the signed-in person, prints from the browser, and
the two a person hands on (enrolment history, employer's amounts and subsidies) come as PDF."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from healthbank.core.pdf import page_language, pdf_response, render_pdf
from healthbank.core.rocdate import to_roc
from healthbank.eservices import rules, selectors, services
from healthbank.eservices.documents import document_response
from healthbank.eservices.forms import ClaimForm, uploads_of
from healthbank.external.bank import REASONS
from healthbank.identity.eservice import SITE, eservice_page
from healthbank.identity.models import Account


def _pdf(template: str, context: dict, stem_zh: str, stem_en: str) -> HttpResponse:
    language, today = page_language(), context["today"]
    english = language == "en"
    name = f"{stem_en}_{today:%Y%m%d}.pdf" if english else f"{stem_zh}_{to_roc(today, sep='')}.pdf"
    return pdf_response(render_pdf(template, context, language=language), name)


def _enrolment_context(account: Account) -> dict:
    person = account.person
    return {
        "person": person,
        "history": selectors.enrolment_history(person),
        "today": timezone.localdate(),
        "site": SITE,
    }


@require_GET
@eservice_page
def enrolment(request: HttpRequest, account: Account) -> HttpResponse:
    """個人及眷屬投退保資料查詢: the person's periods and their dependants' under them."""
    return render(request, "eservices/enrolment.html", _enrolment_context(account))


@require_GET
@eservice_page
def enrolment_pdf(request: HttpRequest, account: Account) -> HttpResponse:
    """The same history as a PDF to print or hand on."""
    return _pdf(
        "eservices/enrolment_pdf.html",
        _enrolment_context(account),
        "投退保資料",
        "NHI_enrolment_history",
    )


@require_GET
@eservice_page
def subsidies(request: HttpRequest, account: Account) -> HttpResponse:
    """減免補助資料、補充保費免扣繳查詢."""
    person, today = account.person, timezone.localdate()
    context = {
        "person": person,
        "subsidies": selectors.premium_subsidies(person, today),
        "exemptions": selectors.supplementary_exemptions(person),
        "today": today,
        "site": SITE,
    }
    return render(request, "eservices/subsidies.html", context)


def _contributions_context(account: Account) -> dict:
    person = account.person
    return {
        "person": person,
        "amounts": selectors.employer_amounts(person),
        "dependant": selectors.is_dependant_now(person),
        "funds": selectors.fund_subsidies(person),
        "today": timezone.localdate(),
        "site": SITE,
    }


@require_GET
@eservice_page
def contributions(request: HttpRequest, account: Account) -> HttpResponse:
    """雇主投保金額、菸捐及公益彩券補助查詢."""
    return render(request, "eservices/contributions.html", _contributions_context(account))


@require_GET
@eservice_page
def contributions_pdf(request: HttpRequest, account: Account) -> HttpResponse:
    return _pdf(
        "eservices/contributions_pdf.html",
        _contributions_context(account),
        "投保金額及補助",
        "NHI_insured_amounts_and_subsidies",
    )


@require_GET
@eservice_page
def cases(request: HttpRequest, account: Account) -> HttpResponse:
    """重大傷病、自墊醫療費用核退、事前審查進度查詢."""
    person, today = account.person, timezone.localdate()
    context = {
        "certificates": selectors.catastrophic_illnesses(person, today),
        "cases": selectors.cases(person),
        "today": today,
        "site": SITE,
    }
    return render(request, "eservices/cases.html", context)


@require_GET
@eservice_page
def cases_detail(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    """One case's steps; another person's case is a 404."""
    case = selectors.case(account.person, pk)
    if case is None:
        raise Http404
    claim = getattr(case, "claim", None)
    context = {
        "case": case,
        "claim": claim,
        "bank_refusal": REASONS.get(claim.payment_refusal) if claim else None,
        "site": SITE,
    }
    return render(request, "eservices/case.html", context)


@require_http_methods(["GET", "POST"])
@eservice_page
def cases_apply(request: HttpRequest, account: Account) -> HttpResponse:
    """自墊醫療費用核退申請: the care, the amount, the account, the receipts and certificates.
    A refused field or file keeps nothing; the form says why, in the page's language."""
    form = ClaimForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.apply_reimbursement(
                person=account.person,
                care_kind=data["care_kind"],
                place=data["place"],
                care_from=data["care_from"],
                care_until=data["care_until"],
                amount=data["amount"],
                bank_code=data["bank_code"],
                bank_account=data["bank_account"],
                uploads=uploads_of(request.FILES),
            )
        except services.ClaimRefused as refused:
            refusal = str(refused.message)
        except services.FileRefused as refused:
            refusal = f"{refused.name}: {refused.message}"
        else:
            messages.success(
                request,
                _(
                    "Your claim was received as case %(number)s. You are told by e-mail when it "
                    "is decided."
                )
                % {"number": claim.case.number},
            )
            return redirect("eservices:cases_detail", claim.case_id)
    context = {"form": form, "refusal": refusal, "rules": rules, "site": SITE}
    return render(request, "eservices/apply.html", context, status=400 if refusal else 200)


@require_GET
@eservice_page
def cases_document(request: HttpRequest, account: Account, pk: int, document: int):
    """A document the person uploaded with their claim; another person's is a 404."""
    found = selectors.claim_document(account.person, pk, document)
    if found is None:
        raise Http404
    return document_response(found)


@require_GET
@eservice_page
def preventive(request: HttpRequest, account: Account) -> HttpResponse:
    """顯示最近一次成人預防保健健檢日期資訊."""
    today = timezone.localdate()
    context = {
        "due": selectors.preventive_check_due(account.person, today),
        "today": today,
        "site": SITE,
    }
    return render(request, "eservices/preventive.html", context)
