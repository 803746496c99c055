"""申辦公所加保、轉出、停保、復保 under /eservice/township/: the person's cover now and which
applications they may file (and why not), a form per kind, their applications and each
one's detail. Thin: forms parse, services file, selectors read the person's rows only."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from healthbank.identity.eservice import SITE, eservice_page
from healthbank.identity.models import Account
from healthbank.township import rules, selectors, services
from healthbank.township.forms import FORMS
from healthbank.township.rules import Kind


def _choices(standing: rules.Standing) -> list[tuple[str, str, str]]:
    """Each kind: its value, its label, and why it cannot be filed now ("" when it can)."""
    out = []
    for kind in Kind:
        refused = rules.refusal(kind, standing)
        out.append((kind.value, str(kind.label), refused.message if refused else ""))
    return out


@require_GET
@eservice_page
def township(request: HttpRequest, account: Account) -> HttpResponse:
    person = account.person
    standing = selectors.standing(person, timezone.localdate())
    context = {
        "person": person,
        "standing": standing,
        "kinds": _choices(standing),
        "applications": selectors.applications_of(person),
        "rules": rules,
        "site": SITE,
    }
    return render(request, "township/township.html", context)


@require_http_methods(["GET", "POST"])
@eservice_page
def township_apply(request: HttpRequest, account: Account, kind: str) -> HttpResponse:
    if kind not in Kind.values:
        raise Http404
    person = account.person
    standing = selectors.standing(person, timezone.localdate())
    refused = rules.refusal(kind, standing)
    form_class = FORMS[kind]
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and refused is None and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.apply(
                person=person,
                kind=kind,
                effective_date=data["effective_date"],
                expected_return=data.get("expected_return"),
                transfer_reason=data.get("transfer_reason", ""),
                notes=data.get("notes", ""),
            )
        except rules.Refused as exc:
            refused = exc
        except services.InvalidApplication as invalid:
            for name, message in invalid.errors.items():
                form.add_error(name, message)
        else:
            messages.success(
                request,
                _("Your application was filed. NHIA reviews it and tells you by e-mail."),
            )
            return redirect("township:township_application", application.pk)
    context = {
        "person": person,
        "standing": standing,
        "kind": Kind(kind),
        "refusal": refused.message if refused else "",
        "form": form,
        "rules": rules,
        "site": SITE,
    }
    return render(request, "township/apply.html", context, status=200)


@require_GET
@eservice_page
def township_application(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    application = selectors.application_of(account.person, pk)
    context = {
        "person": account.person,
        "application": application,
        "ended": application.ended.select_related("person", "unit").order_by("pk"),
        "started": application.started.select_related("person", "unit").order_by("pk"),
        "removed": [dt.date.fromisoformat(m) for m in application.bills_removed],
        "added": [dt.date.fromisoformat(m) for m in application.bills_added],
        "site": SITE,
    }
    return render(request, "township/application.html", context)
