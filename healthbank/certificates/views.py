"""中英文投保證明 and 保險費繳納證明下載 at /eservice/certificates/ (an e-services sign-in, each
page read audited), and /verify/ for anyone."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from healthbank.audit.services import client_address
from healthbank.certificates import rules, selectors, services
from healthbank.certificates.forms import (
    InsuranceCertificateForm,
    PremiumsCertificateForm,
    VerifyForm,
)
from healthbank.certificates.models import Certificate
from healthbank.certificates.services import CertificateRefused
from healthbank.core.http import posted
from healthbank.core.pdf import pdf_response
from healthbank.identity.eservice import SITE, eservice_page
from healthbank.identity.models import Account


def _pdf_response(certificate: Certificate) -> HttpResponse:
    return pdf_response(bytes(certificate.pdf), certificate.file_name)


@eservice_page
def insurance(request: HttpRequest, account: Account) -> HttpResponse:
    """Choose the language and whether the dependants are listed; the PDF comes back."""
    form = InsuranceCertificateForm(posted(request))
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.issue_insurance_certificate(
                person=account.person,
                language=form.cleaned_data["language"],
                with_dependants=form.cleaned_data["with_dependants"],
                address=client_address(request),
            )
        except CertificateRefused as exc:
            refusal = exc.message
        else:
            return _pdf_response(certificate)
    kind = Certificate.Kind.INSURANCE
    context = {
        "form": form,
        "refusal": refusal,
        "issued": selectors.certificates_of(account.person, timezone.localdate(), kind),
        "site": SITE,
    }
    return render(request, "certificates/insurance.html", context)


@eservice_page
def premiums(request: HttpRequest, account: Account) -> HttpResponse:
    """Choose a year in which premiums were paid (last year first) and the language; the
    PDF comes back. Someone who paid none in any year is told why, with no form."""
    years = selectors.premium_years(account.person)
    default = rules.default_year(years, timezone.localdate())
    form = PremiumsCertificateForm(posted(request) if years else None, years=years, default=default)
    refusal = "" if years else CertificateRefused("no_premiums").message
    if years and request.method == "POST" and form.is_valid():
        try:
            certificate = services.issue_premiums_certificate(
                person=account.person,
                year=form.cleaned_data["year"],
                language=form.cleaned_data["language"],
                address=client_address(request),
            )
        except CertificateRefused as exc:
            refusal = exc.message
        else:
            return _pdf_response(certificate)
    kind = Certificate.Kind.PREMIUMS
    context = {
        "form": form if years else None,
        "refusal": refusal,
        "issued": selectors.certificates_of(account.person, timezone.localdate(), kind),
        "site": SITE,
    }
    return render(request, "certificates/premiums.html", context)


def _download(account: Account, pk: int, kind: str) -> HttpResponse:
    certificate = selectors.certificate_of(account.person, pk, kind)
    if certificate is None:
        raise Http404
    return _pdf_response(certificate)


@require_GET
@eservice_page
def insurance_download(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    """One's own certificate of insurance again, the same signed file; anyone else's is a
    404."""
    return _download(account, pk, Certificate.Kind.INSURANCE)


@require_GET
@eservice_page
def premiums_download(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    """One's own certificate of premiums paid again, the same signed file; anyone else's is
    a 404."""
    return _download(account, pk, Certificate.Kind.PREMIUMS)


def _verify_page(request: HttpRequest, form: VerifyForm, typed: str | None) -> HttpResponse:
    context: dict[str, object] = {"form": form, "checked": typed is not None}
    if typed is not None:
        try:
            certificate = services.check_code(typed=typed, address=client_address(request))
        except CertificateRefused as exc:
            context["refusal"] = exc.code
        else:
            context["certificate"] = certificate
            if certificate is not None:
                context["valid"] = certificate.is_valid_on(timezone.localdate())
    response = render(request, "certificates/verify.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """The public check: a typed code (GET ?code=, so the form needs no session)."""
    form = VerifyForm(request.GET if "code" in request.GET else None)
    typed = form.cleaned_data["code"] if form.is_bound and form.is_valid() else None
    return _verify_page(request, form, typed)


@never_cache
@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code's address: the check of the code it carries."""
    if len(code) > 40:
        return redirect("verify:form")
    return _verify_page(request, VerifyForm(initial={"code": code}), code)
