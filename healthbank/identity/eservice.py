"""Personal NHI e-services (個人健保資料網路服務作業) at /eservice/: sign in with the NHI card
and the registration password (seed 000, the registration's benefits) or with the citizen
digital certificate (seed 002); the services' list (eservice_menu); the mobile device
account (行動裝置帳號申請) and the registration site's device pages.

Every e-service view is an `eservice_page`: it gets the signed-in account, and each page
read or change is audited under the person, as the portal's pages are."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from healthbank.audit.services import Action, Actor, client_address, record
from healthbank.core.http import next_or, posted
from healthbank.identity import forms, services
from healthbank.identity.cards import CardRefused
from healthbank.identity.eservice_menu import SERVICES
from healthbank.identity.models import Account
from healthbank.identity.services import IdentityError
from healthbank.identity.views import (
    DeviceSite,
    current_account,
    device_code_page,
    device_disable_action,
    device_enable_action,
    device_list_page,
    show_refusal,
    sign_out,
    start_session,
)

SITE = DeviceSite(
    namespace="eservice", home="eservice:home", header="identity/eservice/_header.html"
)
# The sign-ins that open the e-services: something the person holds (the NHI card with the
# registration password, or the citizen certificate with its PIN). 一般登入 (ID + card
# number + password) opens My Health Bank only.
LOGIN_FORMS = {
    "card": forms.RegistrationLoginForm,
    "certificate": forms.CertificateLoginForm,
}


def _eservice_account(request: HttpRequest) -> Account | None:
    """The signed-in person's account, if this session began with the card or certificate."""
    account = current_account(request)
    if account is None or request.session.get("login_method") not in LOGIN_FORMS:
        return None
    return account


def eservice_required(view):
    """The view gets the account of a card or certificate session; anyone else goes to the
    e-services sign-in, which brings them back."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        account = _eservice_account(request)
        if account is None:
            if request.user.is_authenticated:
                messages.info(
                    request,
                    _(
                        "The personal e-services open with the NHI card and your registration "
                        "password, or with the citizen digital certificate. Sign in here."
                    ),
                )
            return redirect_to_login(request.get_full_path(), "eservice:login")
        return view(request, account, *args, **kwargs)

    return wrapped


def eservice_page(view):
    """An e-service view: never cached, called as view(request, account, ...), and audited
    under the person: a page or document read (GET answered 200) as a read, a form that
    saved (POST answered with a redirect) as a change, each naming its page."""

    @never_cache
    @functools.wraps(view)
    @eservice_required
    def wrapped(request: HttpRequest, account: Account, *args, **kwargs) -> HttpResponse:
        response = view(request, account, *args, **kwargs)
        read = request.method == "GET" and response.status_code == 200
        changed = request.method == "POST" and response.status_code == 302
        if read or changed:
            record(
                action=Action.RECORDS_READ if read else Action.RECORDS_CHANGED,
                person=account.person,
                actor=Actor.PERSON,
                actor_id=account.person_id,
                address=client_address(request),
                page=request.resolver_match.view_name if request.resolver_match else "",
            )
        return response

    return wrapped


def mobile_account_required(view):
    """Device pages need an active account with a password for the app: a certificate-only
    account applies first, and other states are explained on the application page."""

    @functools.wraps(view)
    @eservice_required
    def wrapped(request: HttpRequest, account: Account, *args, **kwargs) -> HttpResponse:
        if account.status != Account.Status.ACTIVE or account.is_locked:
            if account.status == Account.Status.CERTIFICATE:
                messages.info(
                    request,
                    _(
                        "Apply for a mobile device account first: choose the password the "
                        "NHI Express app will sign in with."
                    ),
                )
            return redirect("eservice:mobile_account")
        return view(request, account, *args, **kwargs)

    return wrapped


@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Two ways in, side by side: the NHI card + registration password, and the citizen
    certificate + PIN; both cards sign a one-time challenge in the card agent."""
    if request.method == "GET" and _eservice_account(request) is not None:
        return redirect("eservice:home")
    method = request.POST.get("method", "")
    forms_by_method = {name: cls(prefix=name) for name, cls in LOGIN_FORMS.items()}
    if request.method == "POST" and method in LOGIN_FORMS:
        form = forms_by_method[method] = LOGIN_FORMS[method](request.POST, prefix=method)
        if form.is_valid():
            try:
                account = services.sign_in(
                    method=method,
                    password=form.cleaned_data.get("password", ""),
                    proof=form.proof,
                    address=client_address(request),
                )
            except (IdentityError, CardRefused) as exc:
                show_refusal(form, exc)
            else:
                start_session(
                    request, account, method, card=form.proof.card if form.proof else None
                )
                return redirect(next_or(request, "eservice:home"))
    context = {
        "forms": forms_by_method,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "site": SITE,
    }
    return render(request, "identity/eservice/login.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    return redirect("eservice:login")


@never_cache
@eservice_required
def home(request: HttpRequest, account: Account) -> HttpResponse:
    """The seed's list of services, then the mobile device pages and sign-out."""
    services = [(s, reverse(s.url_name)) for s in SERVICES]
    context = {"account": account, "services": services, "site": SITE}
    return render(request, "identity/eservice/home.html", context)


@never_cache
@eservice_required
def mobile_account(request: HttpRequest, account: Account) -> HttpResponse:
    """行動裝置帳號申請: a certificate-only account chooses the app's password and an e-mail
    address; any other account is told where it stands and what to do."""
    refusal = services.mobile_account_refusal(account)
    form = forms.MobileAccountForm(
        posted(request) if refusal is None else None,
        person=account.person,
        emails=(account.email,),
        initial={"email": account.email},
    )
    if refusal is None and request.method == "POST" and form.is_valid():
        try:
            account = services.apply_mobile_account(
                account=account,
                password=form.cleaned_data["password"],
                email=form.cleaned_data["email"],
                address=client_address(request),
            )
        except IdentityError as exc:
            show_refusal(form, exc)
        else:
            update_session_auth_hash(request, account.user)  # the new password keeps this session
            messages.success(
                request,
                _(
                    "Your mobile device account is ready. Generate a device verification code "
                    "for your phone; the app then signs in with your national ID and this "
                    "password."
                ),
            )
            return redirect("eservice:device_code")
    context = {
        "form": form,
        "refusal": refusal,
        "refusal_message": IdentityError(refusal).message if refusal else "",
        "site": SITE,
    }
    return render(request, "identity/eservice/mobile_account.html", context)


@never_cache
@mobile_account_required
def device_code(request: HttpRequest, account: Account) -> HttpResponse:
    return device_code_page(request, account, SITE)


@never_cache
@mobile_account_required
def devices(request: HttpRequest, account: Account) -> HttpResponse:
    return device_list_page(request, account, SITE)


@never_cache
@require_POST
@mobile_account_required
def device_enable(request: HttpRequest, account: Account, binding_id: int) -> HttpResponse:
    return device_enable_action(request, account, binding_id, SITE)


@require_POST
@mobile_account_required
def device_disable(request: HttpRequest, account: Account, binding_id: int) -> HttpResponse:
    return device_disable_action(request, account, binding_id, SITE)
