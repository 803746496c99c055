"""Family access (家人健康存摺, under 個人專區): whom the person lets see which of their records
until when, offering it (password again), renewing and ending it; and, as a family member,
the invitations to confirm and the access to end. The services are identity.delegation's.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from healthbank.audit.services import client_address
from healthbank.bank.portal import Portal, own_page
from healthbank.core.http import signed_in_user
from healthbank.identity import delegation, reauth
from healthbank.identity.forms import DelegationOfferForm, DelegationRenewForm
from healthbank.identity.models import Delegation
from healthbank.identity.services import IdentityError
from healthbank.records.categories import BY_CODE


def _labels(row: Delegation) -> list[str]:
    return [str(BY_CODE[code].label) for code in row.categories if code in BY_CODE]


def _page(
    request: HttpRequest,
    portal: Portal,
    offer: DelegationOfferForm | None = None,
    renewing: tuple[int, DelegationRenewForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    given = list(delegation.given_by(portal.viewer))
    renew_forms = {d.pk: DelegationRenewForm(auto_id=f"renew-{d.pk}-%s") for d in given}
    if renewing is not None:
        renew_forms[renewing[0]] = renewing[1]
    context = {
        "given": [(d, _labels(d), renew_forms[d.pk]) for d in given],
        "received": [(d, _labels(d)) for d in delegation.received_by(portal.viewer)],
        "form": offer or DelegationOfferForm(),
        "now": timezone.now(),
    }
    return render(request, "bank/personal/family.html", context, status=status)


@own_page
def family(request: HttpRequest, portal: Portal) -> HttpResponse:
    return _page(request, portal)


@require_POST
@own_page
def family_offer(request: HttpRequest, portal: Portal) -> HttpResponse:
    form = DelegationOfferForm(request.POST)
    if not form.is_valid():
        return _page(request, portal, offer=form, status=400)
    data = form.cleaned_data
    try:
        reauth.confirm_password(
            request, signed_in_user(request).account, data["password"], "family"
        )
        delegation.offer(
            owner=portal.viewer,
            national_id=data["delegate_id"],
            birth_date=data["delegate_birth_date"],
            categories=data["categories"],
            days=data["days"],
            address=client_address(request),
        )
    except IdentityError as refused:
        form.add_error("password", refused.message)
    except delegation.DelegationRefused as refused:
        form.add_error(None, refused.message)
    else:
        # The same answer whether or not the ID matched a registered adult (no enumeration).
        messages.success(
            request,
            _(
                "If this person is an adult registered for the NHI card online services, we "
                "have sent them the invitation. They appear in your list once they accept it."
            ),
        )
        return redirect("bank:family")
    return _page(request, portal, offer=form, status=400)


@require_POST
@own_page
def family_renew(request: HttpRequest, portal: Portal, pk: int) -> HttpResponse:
    try:
        delegation.of_owner(portal.viewer, pk)
    except Delegation.DoesNotExist:
        raise Http404 from None
    form = DelegationRenewForm(request.POST, auto_id=f"renew-{pk}-%s")
    if form.is_valid():
        try:
            reauth.confirm_password(
                request, signed_in_user(request).account, form.cleaned_data["password"], "family"
            )
            delegation.renew(
                owner=portal.viewer,
                pk=pk,
                days=form.cleaned_data["days"],
                address=client_address(request),
            )
        except IdentityError as refused:
            form.add_error("password", refused.message)
        except delegation.DelegationRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The family access is renewed."))
            return redirect("bank:family")
    return _page(request, portal, renewing=(pk, form), status=400)


@require_POST
@own_page
def family_end(request: HttpRequest, portal: Portal, pk: int) -> HttpResponse:
    """Ended at once by either side (a family member declining an invitation, too)."""
    try:
        delegation.end(by=portal.viewer, pk=pk, address=client_address(request))
    except Delegation.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The family access has ended."))
    return redirect("bank:family")


@require_POST
@own_page
def family_accept(request: HttpRequest, portal: Portal, pk: int) -> HttpResponse:
    try:
        accepted = delegation.accept(delegate=portal.viewer, pk=pk, address=client_address(request))
    except Delegation.DoesNotExist:
        raise Http404 from None
    except delegation.DelegationRefused as refused:
        messages.error(request, refused.message)
        return redirect("bank:family")
    messages.success(
        request,
        _("You can now open %(name)s's records with the switcher at the top of the page.")
        % {"name": accepted.owner.name},
    )
    return redirect("bank:family")
