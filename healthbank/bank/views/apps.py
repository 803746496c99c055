"""授權管理 (App access): the third-party apps the person let read their records, what each
may read and until when, and taking access back (issue 25)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from healthbank.audit.services import client_address
from healthbank.bank.portal import Portal, portal_page
from healthbank.fhir import selectors, services
from healthbank.fhir.scopes import shared_categories


def _labels(codes: list[str]) -> list[str]:
    return [str(category.label) for category in shared_categories() if category.code in codes]


@portal_page
def apps(request: HttpRequest, portal: Portal) -> HttpResponse:
    current = [
        (grant, _labels(grant.categories)) for grant in selectors.open_grants(portal.subject)
    ]
    past = [(grant, _labels(grant.categories)) for grant in selectors.past_grants(portal.subject)]
    return render(request, "bank/personal/apps.html", {"current": current, "past": past})


@require_POST
@portal_page
def revoke_app(request: HttpRequest, portal: Portal, pk: int) -> HttpResponse:
    grant = selectors.grant_of(portal.subject, pk)
    if grant is None:
        raise Http404
    services.revoke_grant(person=portal.subject, grant=grant, address=client_address(request))
    messages.success(
        request,
        _("“%(app)s” can no longer read your records.") % {"app": grant.listing.application.name},
    )
    return redirect("bank:apps")
