"""下載服務: request a package, watch its status, download it, retry a failed one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from healthbank.bank.portal import Portal, open_portal, portal_page
from healthbank.core.http import signed_in_user
from healthbank.downloads import generation, selectors, services
from healthbank.downloads.forms import PackageForm
from healthbank.downloads.models import PackageRequest
from healthbank.identity import reauth
from healthbank.identity.services import IdentityError

NOTES = (  # the seed's rules for the files (seed 000, 下載服務; seed 001)
    gettext_lazy("Packages are made in the background and can be downloaded for 7 days."),
    gettext_lazy(
        "File name: 健康存摺_(date made)_(serial).zip. Inside, each category is one file, or "
        "one file a month for single-month data, as a printable web page (.html), XML (.xml) "
        "and FHIR R4 (.json), with a README."
    ),
    gettext_lazy(
        "Downloaded records are personal data: on a shared computer, delete the file and "
        "empty the recycle bin after reading it."
    ),
)

REFUSALS = {
    "too_many": gettext_lazy(
        "You already have packages waiting or being made; please wait for them."
    ),
    "unknown_category": gettext_lazy("Choose categories from the list."),
    "unknown_mode": gettext_lazy("Choose merged or single-month data."),
    "no_monthly": gettext_lazy("This category is only available as merged data."),
    "nothing_chosen": gettext_lazy("Choose at least one category."),
}


def _list_context(portal: Portal) -> dict:
    packages = selectors.packages(portal.subject)
    return {
        "packages": packages,
        "now": timezone.now(),
        "in_flight": any(p.in_flight for p in packages),
    }


@portal_page
def home(request: HttpRequest, portal: Portal) -> HttpResponse:
    form = PackageForm(request.POST or None, today=portal.today)
    if request.method == "POST" and form.is_valid():
        try:
            reauth.confirm_password(
                request, signed_in_user(request).account, form.cleaned_data["password"], "package"
            )
            services.request_package(
                person=portal.subject, requested_by=portal.viewer, choices=form.choices()
            )
        except IdentityError as refused:
            form.add_error("password", refused.message)
        except services.DownloadError as refused:
            form.add_error(None, REFUSALS[refused.code])
        else:
            messages.success(
                request,
                _("Your package is being made. It appears below as ready to download."),
            )
            return redirect("downloads:home")
    context = {"form": form, "notes": NOTES, **_list_context(portal)}
    return render(request, "downloads/home.html", context)


@never_cache
@login_required
def package_list(request: HttpRequest) -> HttpResponse:
    """The 產製清單 alone, which the page asks for every few seconds while a package is being
    made (statuses only: not audited as a read of records)."""
    portal = open_portal(request)
    if portal.for_delegate:  # packages are the person's own (bank/grants.py OWNER_ONLY)
        raise Http404
    return render(request, "downloads/list.html", _list_context(portal))


@portal_page
def download(request: HttpRequest, portal: Portal, pk: int) -> FileResponse:
    package = selectors.package(portal.subject, pk)
    if not package.is_downloadable():
        raise Http404
    try:
        stored = generation.open_package(package)
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        stored,
        as_attachment=True,
        filename=package.file_name,
        content_type="application/zip",
    )


@require_POST
@portal_page
def retry(request: HttpRequest, portal: Portal, pk: int) -> HttpResponse:
    try:
        services.retry(person=portal.subject, package_id=pk)
    except PackageRequest.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The package is being made again."))
    return redirect("downloads:home")
