"""The NHI-card online-service registration site (/register/) and My Health Bank sign-in
(/login/). Views parse forms, call one service, render."""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from healthbank.audit.services import client_address
from healthbank.core.http import next_or, posted
from healthbank.identity import devices as device_services
from healthbank.identity import forms, reauth, services
from healthbank.identity.cards import CardRefused, new_challenge
from healthbank.identity.models import Account, DeviceBinding
from healthbank.identity.services import IdentityError
from healthbank.identity.sessions import SIGNED_IN_CARD
from healthbank.people.models import NhiCard, Person, Township, Village

APPLY_STEP_SECONDS = 30 * 60  # the card step of an application is good for half an hour


def show_refusal(form, exc: IdentityError | CardRefused) -> None:
    form.add_error(None, exc.message)


def start_session(
    request: HttpRequest, account: Account, method: str, card: NhiCard | None = None
) -> None:
    """Sign the account in. `card`: the NHI card the sign-in was made with (read in the card
    reader, or its number typed in 一般登入); the session remembers it, and
    identity.middleware ends the session once the card is no longer valid (reported lost,
    replaced)."""
    login(request, account.user, backend=settings.AUTHENTICATION_BACKENDS[0])
    request.session["login_method"] = method
    if card is not None:
        request.session[SIGNED_IN_CARD] = card.pk
    # Wrong passwords asked again are counted afresh in each sign-in's session.
    request.session[reauth.SESSION_KEY] = secrets.token_hex(8)


def _typed_card(account: Account, number: str) -> NhiCard | None:
    """一般登入's card: the valid card of the person with the number typed (sign_in has
    checked that there is one)."""
    if not number:
        return None
    return NhiCard.objects.filter(
        person=account.person, number=number, status=NhiCard.Status.VALID
    ).first()


def _password_owner(account: Account) -> dict:
    """Whose new password a form checks (forms.PasswordFields)."""
    return {"person": account.person, "emails": (account.email, account.backup_email)}


def current_account(request: HttpRequest) -> Account | None:
    user = request.user
    return getattr(user, "account", None) if user.is_authenticated else None


# --- card reader and divisions (called by the pages' scripts) ------------------------------


@never_cache
@require_POST
def challenge(request: HttpRequest) -> JsonResponse:
    """A one-time challenge for the card to sign (two minutes, single use)."""
    return JsonResponse({"challenge": new_challenge()})


@require_GET
def divisions(request: HttpRequest) -> JsonResponse:
    """Townships of a county, or villages of a township, for the cascading selects."""
    rows: Iterable[tuple[str, str, str]]
    if county := request.GET.get("county"):
        rows = Township.objects.filter(county_id=county).values_list("code", "name_zh", "name_en")
    elif township := request.GET.get("township"):
        rows = Village.objects.filter(township_id=township).values_list(
            "code", "name_zh", "name_en"
        )
    else:
        return JsonResponse({"code": "bad_request", "message": "county or township"}, status=400)
    english = request.LANGUAGE_CODE == "en"
    return JsonResponse({"options": [[c, en if english else zh] for c, zh, en in rows]})


# --- the registration site -----------------------------------------------------------------


@never_cache
def register_home(request: HttpRequest) -> HttpResponse:
    """健保卡網路服務註冊: sign in with card + password; the service items once signed in."""
    account = current_account(request)
    form = forms.RegistrationLoginForm(posted(request))
    if account is None and request.method == "POST" and form.is_valid():
        try:
            proof = form.card_proof()
            account = services.sign_in(
                method="card",
                password=form.cleaned_data["password"],
                proof=proof,
                address=client_address(request),
            )
        except IdentityError as exc:
            show_refusal(form, exc)
        else:
            start_session(request, account, "card", card=proof.card)
            return redirect("identity:register")
    return render(request, "identity/register_home.html", {"form": form, "account": account})


def apply_rules(request: HttpRequest) -> HttpResponse:
    """Step 1: the rules (全民健康保險網路服務註冊管理作業要點) to accept."""
    form = forms.RulesForm(posted(request))
    if request.method == "POST" and form.is_valid():
        request.session["apply_rules"] = True
        return redirect("identity:apply_card")
    return render(request, "identity/apply_rules.html", {"form": form, "step": 1})


def apply_card(request: HttpRequest) -> HttpResponse:
    """Step 2: read the card; household number and registered address."""
    if not request.session.get("apply_rules"):
        return redirect("identity:apply")
    form = forms.ApplyCardForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.check_household(
                proof=form.card_proof(),
                household_number=data["household_number"],
                village_code=data["village"].pk,
                neighbourhood=data["neighbourhood"],
            )
        except IdentityError as exc:
            show_refusal(form, exc)
        else:
            request.session["apply_person"] = person.pk
            request.session["apply_at"] = time.time()
            return redirect("identity:apply_details")
    return render(request, "identity/apply_card.html", {"form": form, "step": 2})


def _applicant(request: HttpRequest) -> Person | None:
    started = request.session.get("apply_at", 0)
    if time.time() - started > APPLY_STEP_SECONDS:
        return None
    person_id = request.session.get("apply_person")
    return Person.objects.filter(pk=person_id).first() if person_id else None


def apply_details(request: HttpRequest) -> HttpResponse:
    """Step 3: password, phones, e-mail; then the confirmation e-mail is sent."""
    person = _applicant(request)
    if person is None:
        messages.error(request, _("Please read your card again to start the application."))
        return redirect("identity:apply_card")
    form = forms.ApplyDetailsForm(posted(request), person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.apply_online(
                person=person,
                password=data["password"],
                email=data["email"],
                backup_email=data["backup_email"],
                mobile=data["mobile"],
                phone=data["phone"],
                address=client_address(request),
            )
        except IdentityError as exc:
            show_refusal(form, exc)
        else:
            for key in ("apply_rules", "apply_person", "apply_at"):
                request.session.pop(key, None)
            request.session["applied_email"] = services.masked_email(account.email)
            return redirect("identity:apply_sent")
    context = {"form": form, "step": 3, "name": person.name}
    return render(request, "identity/apply_details.html", context)


def apply_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request, "identity/apply_sent.html", {"email": request.session.get("applied_email")}
    )


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation e-mail: read the card (and, for employer batch
    registration, set the password) to complete the registration."""
    try:
        link = services.confirmation_link(token)
    except IdentityError as exc:
        return render(request, "identity/link_refused.html", {"message": exc.message}, status=410)
    account = link.account
    needs_password = account.channel == Account.Channel.EMPLOYER
    form: forms.CardForm
    if needs_password:
        form = forms.ConfirmWithPasswordForm(posted(request), **_password_owner(account))
    else:
        form = forms.ConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_registration(
                token=token,
                proof=form.card_proof(),
                password=form.cleaned_data.get("password"),
                address=client_address(request),
            )
        except (IdentityError, CardRefused) as exc:
            show_refusal(form, exc)
        else:
            return render(request, "identity/confirmed.html")
    context = {"form": form, "needs_password": needs_password}
    return render(request, "identity/confirm.html", context)


def _card_action(request: HttpRequest, template: str, action, done_message) -> HttpResponse:
    """Pages that need only the card: resend confirmation, delete application."""
    form = forms.CardOnlyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            result = action(proof=form.card_proof(), address=client_address(request))
        except IdentityError as exc:
            show_refusal(form, exc)
        else:
            return render(request, "identity/done.html", {"message": done_message(result)})
    return render(request, template, {"form": form})


def resend(request: HttpRequest) -> HttpResponse:
    return _card_action(
        request,
        "identity/resend.html",
        services.resend_confirmation,
        lambda account: (
            _("A new confirmation e-mail has been sent to %s. Its link is valid for 5 days.")
            % services.masked_email(account.email)
        ),
    )


def delete(request: HttpRequest) -> HttpResponse:
    return _card_action(
        request,
        "identity/delete.html",
        services.delete_application,
        lambda _result: _("Your registration application has been deleted."),
    )


def forgot(request: HttpRequest) -> HttpResponse:
    """忘記註冊密碼, in the seed's two modes."""
    form = forms.ForgotForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        change = data["mode"] == forms.ForgotForm.CHANGE
        try:
            account = services.request_password_reset(
                proof=form.card_proof(),
                new_email=data["email"] if change else "",
                household_number=data["household_number"] or "",
                village_code=data["village"].pk if change else "",
                neighbourhood=data["neighbourhood"],
                mobile=data["mobile"],
                address=client_address(request),
            )
        except IdentityError as exc:
            show_refusal(form, exc)
        else:
            message = _(
                "A password-reset e-mail has been sent to %s. Open its link, read your card "
                "and choose a new password."
            ) % services.masked_email(account.email)
            return render(request, "identity/done.html", {"message": message})
    return render(request, "identity/forgot.html", {"form": form})


@never_cache
def reset(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = services.reset_link(token)
    except IdentityError as exc:
        return render(request, "identity/link_refused.html", {"message": exc.message}, status=410)
    form = forms.ResetForm(posted(request), **_password_owner(link.account))
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password(
                token=token,
                proof=form.card_proof(),
                password=form.cleaned_data["password"],
                address=client_address(request),
            )
        except (IdentityError, CardRefused) as exc:
            show_refusal(form, exc)
        else:
            message = _("Your password has been changed. You can sign in with it now.")
            return render(request, "identity/done.html", {"message": message, "login": True})
    return render(request, "identity/reset.html", {"form": form})


def registered_required(view):
    """The registration site's own pages: the view gets the signed-in, registered account;
    anyone else goes to the site's sign-in."""

    @functools.wraps(view)
    @login_required(login_url="identity:register")
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        account = current_account(request)
        if account is None or account.status != Account.Status.ACTIVE:
            return redirect("identity:register")
        return view(request, account, *args, **kwargs)

    return wrapped


@registered_required
def change_password(request: HttpRequest, account: Account) -> HttpResponse:
    form = forms.ChangePasswordForm(posted(request), **_password_owner(account))
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                account=account,
                old_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["password"],
                session=reauth.session_ref(request),
                address=client_address(request),
            )
        except IdentityError as exc:
            form.add_error("current_password", exc.message)
        else:
            update_session_auth_hash(request, account.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("identity:register")
    return render(request, "identity/change_password.html", {"form": form})


@registered_required
def update_account(request: HttpRequest, account: Account) -> HttpResponse:
    initial = {f: getattr(account, f) for f in ("email", "backup_email", "mobile", "phone")}
    form = forms.AccountForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_account(
                account=account,
                password=data["current_password"],
                email=data["email"],
                backup_email=data["backup_email"],
                mobile=data["mobile"],
                phone=data["phone"],
                session=reauth.session_ref(request),
                address=client_address(request),
            )
        except IdentityError as exc:
            form.add_error("current_password", exc.message)
        else:
            messages.success(request, _("Your account data has been updated."))
            return redirect("identity:register")
    return render(request, "identity/update_account.html", {"form": form})


# --- My Health Bank sign-in ----------------------------------------------------------------

LOGIN_FORMS = {
    "password": forms.PasswordLoginForm,
    "card": forms.CardLoginForm,
    "certificate": forms.CertificateLoginForm,
}


@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Three tabs as in the seed: 一般登入, 健保卡, 自然人憑證."""
    tab = request.POST.get("tab") or request.GET.get("tab") or "password"
    tab = tab if tab in LOGIN_FORMS else "password"
    forms_by_tab = {name: cls(prefix=name) for name, cls in LOGIN_FORMS.items()}
    if request.method == "POST":
        form = forms_by_tab[tab] = LOGIN_FORMS[tab](request.POST, prefix=tab)
        if form.is_valid():
            data = form.cleaned_data
            proof = form.proof if isinstance(form, forms.CardForm) else None
            try:
                account = services.sign_in(
                    method=tab,
                    national_id=data.get("national_id", ""),
                    card_number=data.get("card_number", ""),
                    password=data.get("password", ""),
                    proof=proof,
                    address=client_address(request),
                )
            except (IdentityError, CardRefused) as exc:
                show_refusal(form, exc)
            else:
                card = proof.card if proof else _typed_card(account, data.get("card_number", ""))
                start_session(request, account, tab, card=card)
                return redirect(next_or(request, "bank:home"))
    context = {
        "tab": tab,
        "forms": forms_by_tab,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "LOGIN_FAILURE_LIMIT": settings.LOGIN_FAILURE_LIMIT,
    }
    return render(request, "identity/login.html", context)


def sign_out(request: HttpRequest) -> None:
    """End the session, audited, with a message for the sign-in page it goes back to."""
    account = current_account(request)
    if account is not None:
        services.record_logout(account, client_address(request))
    logout(request)
    messages.info(request, _("You have signed out."))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    return redirect("identity:login")


# --- mobile devices (行動裝置認證, 行動裝置管理作業) -------------------------------------------


@dataclass(frozen=True)
class DeviceSite:
    """Where the device pages are served: the registration site (after the NHI card) or the
    personal e-services (after the citizen certificate). What the pages do is the same;
    their links and the header above them differ."""

    namespace: str  # of the URL names device_code, devices, device_enable, device_disable
    home: str  # URL name of the site's list of services
    header: str = ""  # template included above the page, if any

    def url(self, name: str) -> str:
        return f"{self.namespace}:{name}"

    @property
    def device_code(self) -> str:
        return self.url("device_code")

    @property
    def devices(self) -> str:
        return self.url("devices")

    @property
    def device_enable(self) -> str:
        return self.url("device_enable")

    @property
    def device_disable(self) -> str:
        return self.url("device_disable")


REGISTRATION_SITE = DeviceSite(namespace="identity", home="identity:register")


def _confirm_password(request: HttpRequest, account: Account, form, purpose: str) -> bool:
    """Sensitive actions ask again: the registration password re-typed in the form. A wrong
    one is the form's error (counted for this session: too many sign it out)."""
    if not form.is_valid():
        return False
    try:
        reauth.confirm_password(request, account, form.cleaned_data["password"], purpose)
    except IdentityError as exc:
        form.add_error("password", exc.message)
        return False
    return True


def device_code_page(request: HttpRequest, account: Account, site: DeviceSite) -> HttpResponse:
    """產生裝置認證碼: the code is shown once, in the response to the button's POST (only its
    hash is kept); pressing the button again (with the password again) replaces it."""
    form = forms.PasswordAgainForm(posted(request))
    context: dict = {"account": account, "site": site, "form": form}
    if request.method == "POST" and _confirm_password(request, account, form, "device_code"):
        code, row = device_services.issue_code(account=account, address=client_address(request))
        qr = segno.make(device_services.QR_PREFIX + code, error="m")
        svg = qr.svg_inline(scale=6, light="#fff", title=_("Device verification code"))
        context |= {
            "form": forms.PasswordAgainForm(),  # the password is asked again for a new code
            "code": device_services.grouped(code),
            "expires_at": row.expires_at,
            # segno writes the SVG from the code alone; nothing from the request goes in.
            "qr_svg": mark_safe(svg),  # noqa: S308
        }
    return render(request, "identity/device_code.html", context)


def device_list_page(
    request: HttpRequest, account: Account, site: DeviceSite, refused: dict | None = None
) -> HttpResponse:
    """行動裝置管理作業: the account's verified devices with enable/disable buttons; `refused`
    is the enable form (binding id and error) whose password was wrong."""
    context = {"bindings": device_services.devices_of(account), "site": site, "refused": refused}
    return render(request, "identity/device_list.html", context)


def device_enable_action(
    request: HttpRequest, account: Account, binding_id: int, site: DeviceSite
) -> HttpResponse:
    """啟用裝置, after the password is asked again; another account's device is a 404 (and
    no password is checked for it)."""
    if not account.device_bindings.filter(pk=binding_id).exists():
        raise Http404
    form = forms.PasswordAgainForm(request.POST)
    if not _confirm_password(request, account, form, "device_enable"):
        refused = {"binding": binding_id, "message": form.errors["password"][0]}
        return device_list_page(request, account, site, refused=refused)
    return _device_action(
        request,
        account,
        binding_id,
        device_services.enable,
        _("The device is enabled; your other devices are disabled."),
        site,
    )


def device_disable_action(
    request: HttpRequest, account: Account, binding_id: int, site: DeviceSite
) -> HttpResponse:
    """停用裝置: no password asked, as it only takes access away."""
    message = _("The device is disabled.")
    return _device_action(request, account, binding_id, device_services.disable, message, site)


def _device_action(
    request: HttpRequest,
    account: Account,
    binding_id: int,
    action,
    message: str,
    site: DeviceSite,
) -> HttpResponse:
    try:
        action(account=account, binding_id=binding_id, address=client_address(request))
    except DeviceBinding.DoesNotExist:
        raise Http404 from None
    messages.success(request, message)
    return redirect(site.devices)


@never_cache
@registered_required
def device_code(request: HttpRequest, account: Account) -> HttpResponse:
    return device_code_page(request, account, REGISTRATION_SITE)


@never_cache
@registered_required
def devices(request: HttpRequest, account: Account) -> HttpResponse:
    return device_list_page(request, account, REGISTRATION_SITE)


@never_cache
@require_POST
@registered_required
def device_enable(request: HttpRequest, account: Account, binding_id: int) -> HttpResponse:
    return device_enable_action(request, account, binding_id, REGISTRATION_SITE)


@require_POST
@registered_required
def device_disable(request: HttpRequest, account: Account, binding_id: int) -> HttpResponse:
    return device_disable_action(request, account, binding_id, REGISTRATION_SITE)
