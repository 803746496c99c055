"""NHIA staff sign-in to /staff/, in two steps: the password (lockout.check_password), then
a code from the authenticator app or a recovery code (second_factor.verify). A staff member
without an authenticator enrols one at that point: a QR code and the key in text, a code to
confirm it, then recovery codes shown once.

Between the steps the session holds only who passed the password, for a few minutes; the
user is signed in (django.contrib.auth.login and django_otp.login) only after both.
"""

from __future__ import annotations

import time

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.sites import AdminSite
from django.contrib.auth import get_user_model, login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from healthbank.audit.models import AuditEvent
from healthbank.audit.services import client_address
from healthbank.core.http import posted
from healthbank.identity import lockout, rules, second_factor
from healthbank.identity.lockout import LoginRefused

Actor = AuditEvent.Actor
Method = AuditEvent.Method
PENDING = "staff_sign_in"  # session key: who passed the password, until when, where next


class PasswordForm(forms.Form):
    # Django's own labels (使用者名稱, 密碼), as on every Django admin's sign-in.
    username = forms.CharField(
        label=gettext_lazy("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "spellcheck": "false"}
        ),
    )


def _context(request: HttpRequest, site: AdminSite, title: str, **extra) -> dict:
    request.current_app = site.name
    return {**site.each_context(request), "title": title, "subtitle": None, **extra}


def _pending(request: HttpRequest):
    """The staff member who passed the password in this session lately, or None."""
    pending = request.session.get(PENDING)
    if not pending:
        return None
    if pending["until"] < time.time():
        del request.session[PENDING]
        messages.warning(request, _("The sign-in took too long. Enter your password again."))
        return None
    user_model = get_user_model()
    return user_model.objects.filter(pk=pending["user"], is_staff=True, is_active=True).first()


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("admin:index")


@never_cache
def password_step(request: HttpRequest, site: AdminSite, extra_context=None) -> HttpResponse:
    if request.method == "GET" and site.has_permission(request):
        return HttpResponseRedirect(reverse("admin:index"))
    form = PasswordForm(posted(request))
    if request.method == "POST" and form.is_valid():
        user_model = get_user_model()
        user = user_model.objects.filter(
            **{user_model.USERNAME_FIELD: form.cleaned_data["username"]},
            is_staff=True,
            is_active=True,
        ).first()
        try:
            lockout.check_password(
                user=user,
                password=form.cleaned_data["password"],
                actor=Actor.STAFF,
                actor_id=user.pk if user else None,
                address=client_address(request),
            )
        except LoginRefused as exc:
            form.add_error(None, exc.message)
        else:
            if user is None:  # check_password has refused a missing user already
                raise LoginRefused("invalid")
            # A new session key before anything secret (the enrolment key) is shown in it.
            request.session.cycle_key()
            request.session[PENDING] = {
                "user": user.pk,
                "until": time.time() + rules.STAFF_SECOND_STEP_WITHIN.total_seconds(),
                "next": _next_url(request),
            }
            step = "login_code" if second_factor.is_enrolled(user) else "login_enrol"
            return HttpResponseRedirect(reverse(f"admin:{step}"))
    context = _context(
        request,
        site,
        _("Log in"),
        form=form,
        app_path=request.get_full_path(),
        next=_next_url(request),
        username=request.user.get_username(),
        **(extra_context or {}),
    )
    return TemplateResponse(request, "admin/login.html", context)


def _refused(request: HttpRequest, form: forms.Form, exc: LoginRefused) -> HttpResponse | None:
    """A wrong code stays on the page; a lock or the throttle ends this sign-in."""
    if exc.code == "wrong_code":
        form.add_error("code", exc.message)
        return None
    del request.session[PENDING]
    messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("admin:login"))


def _sign_in(request: HttpRequest, user, device: Device) -> str:
    """Both factors passed: the session becomes the staff member's, verified. Where next."""
    next_url = request.session.pop(PENDING)["next"]
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    otp_login(request, device)
    recovery = isinstance(device, StaticDevice)
    lockout.signed_in(
        user=user,
        actor=Actor.STAFF,
        actor_id=user.pk,
        address=client_address(request),
        method=Method.RECOVERY_CODE if recovery else Method.TOTP,
    )
    if recovery:
        left = StaticToken.objects.filter(device__user=user).count()
        messages.warning(
            request,
            _(
                "You signed in with a recovery code, which now no longer works; %(left)s are "
                "left. If your phone is lost, ask an administrator to reset your second factor."
            )
            % {"left": left},
        )
    return next_url


@never_cache
def code_step(request: HttpRequest, site: AdminSite) -> HttpResponse:
    user = _pending(request)
    if user is None:
        return HttpResponseRedirect(reverse("admin:login"))
    if not second_factor.is_enrolled(user):
        return HttpResponseRedirect(reverse("admin:login_enrol"))
    form = CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.verify(
                user=user, code=form.cleaned_data["code"], address=client_address(request)
            )
        except LoginRefused as exc:
            if (response := _refused(request, form, exc)) is not None:
                return response
        else:
            return HttpResponseRedirect(_sign_in(request, user, device))
    context = _context(request, site, _("Second step: the code"), form=form, staff=user)
    return TemplateResponse(request, "identity/staff/code.html", context)


def _qr_svg(device) -> str:
    qr = segno.make(device.config_url, error="m")
    # segno writes the SVG from the device's URI alone; nothing from the request goes in.
    return mark_safe(qr.svg_inline(scale=4, light="#fff", title=_("Authenticator QR code")))  # noqa: S308


@never_cache
def enrol_step(request: HttpRequest, site: AdminSite) -> HttpResponse:
    user = _pending(request)
    if user is None:
        return HttpResponseRedirect(reverse("admin:login"))
    if second_factor.is_enrolled(user):
        return HttpResponseRedirect(reverse("admin:login_code"))
    form = CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            device, recovery_codes = second_factor.confirm_enrolment(
                user=user, code=form.cleaned_data["code"], address=client_address(request)
            )
        except LoginRefused as exc:
            if (response := _refused(request, form, exc)) is not None:
                return response
        else:
            next_url = _sign_in(request, user, device)
            # Shown in this response only: reloading does not show them again.
            context = _context(
                request, site, _("Your recovery codes"), codes=recovery_codes, next_url=next_url
            )
            return TemplateResponse(request, "identity/staff/recovery_codes.html", context)
    device = second_factor.pending_device(user)
    context = _context(
        request,
        site,
        _("Set up your second factor"),
        form=form,
        staff=user,
        qr_svg=_qr_svg(device),
        secret=second_factor.secret_of(device),
    )
    return TemplateResponse(request, "identity/staff/enrol.html", context)
