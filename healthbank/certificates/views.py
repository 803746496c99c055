"""中英文投保證明 at /eservice/certificates/ (certificate sign-in), and /verify/ for anyone."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from healthbank.audit.services import client_address
from healthbank.certificates import selectors, services
from healthbank.certificates.forms import InsuranceCertificateForm, VerifyForm
from healthbank.certificates.models import Certificate
from healthbank.certificates.services import CertificateRefused
from healthbank.core.http import posted
from healthbank.core.rocdate import to_roc
from healthbank.identity.eservice import SITE, eservice_required
from healthbank.identity.models import Account


def _pdf_response(certificate: Certificate) -> HttpResponse:
    response = HttpResponse(bytes(certificate.pdf), content_type="application/pdf")
    issued = timezone.localtime(certificate.issued_at).date()
    if certificate.language == "en":
        name = f"NHI_certificate_of_insurance_{issued:%Y%m%d}_{certificate.pk}.pdf"
    else:
        name = f"投保證明_{to_roc(issued, sep='')}_{certificate.pk}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@never_cache
@eservice_required
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
    context = {
        "form": form,
        "refusal": refusal,
        "issued": selectors.certificates_of(account.person, timezone.localdate()),
        "site": SITE,
    }
    return render(request, "certificates/insurance.html", context)


@never_cache
@require_GET
@eservice_required
def download(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    """One's own certificate again, the same signed file; anyone else's is a 404."""
    certificate = selectors.certificate_of(account.person, pk)
    if certificate is None:
        raise Http404
    return _pdf_response(certificate)


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
