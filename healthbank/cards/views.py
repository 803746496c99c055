"""申辦健保卡作業 under /eservice/cards/: the person's cards and card applications, the
application form (fee paid from a bank account where charged), the lost-card report, and an
application's page. Thin: forms check the input, services write, selectors read the
signed-in person's rows only (anyone else's application is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from healthbank.audit.services import client_address
from healthbank.cards import rules, selectors, services
from healthbank.cards.forms import (
    ApplicationForm,
    CertificateAgainForm,
    LostReportForm,
    ask_again_form,
)
from healthbank.core.http import posted
from healthbank.files import images
from healthbank.identity import reauth
from healthbank.identity.eservice import SITE, eservice_page
from healthbank.identity.models import Account
from healthbank.identity.review import OPEN
from healthbank.identity.services import IdentityError
from healthbank.identity.sessions import SIGNED_IN_CARD
from healthbank.people.addresses import postal_address


def _ask_again(request: HttpRequest):
    return ask_again_form(request.session.get("login_method", ""), posted(request))


def _confirmed(request: HttpRequest, account: Account, form, purpose: str) -> bool:
    """The password typed again (wrong ones counted for this session: too many sign it out,
    identity.reauth), or the person's own certificate read again."""
    if not form.is_valid():
        return False
    if isinstance(form, CertificateAgainForm):
        if form.card_proof().person != account.person:
            form.add_error(None, _("Read your own citizen digital certificate card."))
            return False
        return True
    try:
        reauth.confirm_password(request, account, form.cleaned_data["password"], purpose)
    except IdentityError as refused:
        form.add_error("password", refused.message)
        return False
    return True


@require_GET
@eservice_page
def card(request: HttpRequest, account: Account) -> HttpResponse:
    person = account.person
    applications = list(selectors.applications_of(person))
    context = {
        "cards": selectors.cards_of(person),
        "valid_card": selectors.valid_card(person),
        "applications": applications,
        "open_application": next((a for a in applications if a.status in OPEN), None),
        "rules": rules,
        "site": SITE,
    }
    return render(request, "cards/card.html", context)


@require_http_methods(["GET", "POST"])
@eservice_page
def card_apply(request: HttpRequest, account: Account) -> HttpResponse:
    person = account.person
    initial = {"reason": request.GET.get("reason", "")}
    form = ApplicationForm(posted(request), request.FILES or None, initial=initial)
    again = _ask_again(request)
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            not rules.asks_again_to_apply(form.cleaned_data["reason"])
            or _confirmed(request, account, again, rules.APPLY_PURPOSE)
        )
    ):
        data = form.cleaned_data
        try:
            application = services.apply(
                person=person,
                reason=data["reason"],
                photo=data["photo"],
                delivery=data["delivery"],
                office=data["office"],
                bank_code=data["bank_code"],
                account_number=data["account_number"],
                address=client_address(request),
            )
        except services.CardsRefused as refused:
            field = "photo" if refused.code in images.MESSAGES else None
            form.add_error(field, str(refused.message))
        else:
            messages.success(
                request,
                _(
                    "Your application is filed. NHIA staff review it; you are told by e-mail, "
                    "and its status is below."
                ),
            )
            return redirect("cards:card_application", application.pk)
    context = {
        "form": form,
        "again": again,
        "open_application": selectors.applications_of(person).filter(status__in=OPEN).first(),
        "postal": postal_address(person),
        "valid_card": selectors.valid_card(person),
        "rules": rules,
        "site": SITE,
    }
    return render(request, "cards/apply.html", context)


@require_http_methods(["GET", "POST"])
@eservice_page
def card_lost(request: HttpRequest, account: Account) -> HttpResponse:
    person = account.person
    valid = selectors.valid_card(person)
    form = LostReportForm(posted(request))
    again = _ask_again(request)
    if (
        request.method == "POST"
        and form.is_valid()
        and _confirmed(request, account, again, rules.LOST_PURPOSE)
    ):
        try:
            lost = services.report_lost(person=person, address=client_address(request))
        except services.CardsRefused as refused:
            form.add_error(None, str(refused.message))
        else:
            # Every other session signed in with the lost card ends on its next request
            # (identity.middleware). This one goes on, though it may have been signed in with
            # that very card: it is the holder who just reported the loss, and the next step,
            # the replacement, can be applied for only in an e-service session, which without
            # a citizen certificate opens with the card alone; ending it would leave such a
            # person no way to apply online. It no longer counts as signed in with the card.
            if request.session.get(SIGNED_IN_CARD) == lost.pk:
                del request.session[SIGNED_IN_CARD]
            messages.success(
                request,
                _("Your card is reported lost and no longer works. Apply for a replacement below."),
            )
            return redirect(f"{reverse('cards:card_apply')}?reason={rules.Reason.LOST}")
    context = {"form": form, "again": again, "valid_card": valid, "site": SITE}
    return render(request, "cards/lost.html", context)


@require_GET
@eservice_page
def card_application(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    application = selectors.application_of(account.person, pk)
    # Not posted yet: the card goes to the postal address of the day it is issued.
    posting = application.delivery == application.Delivery.POST and application.status in OPEN
    context = {
        "application": application,
        "postal_now": postal_address(account.person) if posting else None,
        "site": SITE,
    }
    return render(request, "cards/application.html", context)
