"""Staff admin (/staff/) for online-service accounts: counter registration (臨櫃註冊),
suspension (註冊停用) and reinstatement (恢復使用), and each account's audit trail; and
Django's user admin, where a user made inactive is signed out everywhere at once.

The add page is the counter registration, done through identity.services like every other
registration; the change page edits contact data only and never shows the password.
Accounts are never deleted here (a person withdraws an application online).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from healthbank.audit.models import AuditEvent
from healthbank.audit.selectors import RECENT_EVENTS, events_for
from healthbank.audit.services import record
from healthbank.core.admin import ReadOnlyAdmin
from healthbank.core.phones import MobileField, PhoneField
from healthbank.identity import delegation, lockout, second_factor, services
from healthbank.identity.forms import DelegationFields, PasswordFields
from healthbank.identity.models import (
    Account,
    Delegation,
    Device,
    DeviceBinding,
    LoginLockout,
    StaffSecondFactor,
)
from healthbank.people.admin import PERSON_SEARCH
from healthbank.people.identifiers import normalise, validate_personal_id
from healthbank.people.models import Person

NATIONAL_ID_LABEL = capfirst(_("national ID / resident certificate no."))  # Person's label

# The services' messages speak to the person; at the counter, staff read these instead.
STAFF_MESSAGES = {
    "already_registered": _(
        "This person is already registered for online services. Find their account in the "
        "list to change contact data, or to suspend or reinstate it."
    ),
}


class CounterRegistrationForm(PasswordFields):
    """臨櫃註冊: the clerk has seen the person's identity document (rule 4: no e-mail
    confirmation at a designated place)."""

    national_id = forms.CharField(label=NATIONAL_ID_LABEL, max_length=10)
    document_checked = forms.BooleanField(
        label=_("Identity document checked"),
        help_text=_("Tick only after you have compared the person with their ID card or passport."),
        error_messages={
            "required": _("Check the person's identity document, then tick the box to go on.")
        },
    )
    email = forms.EmailField(label=_("E-mail (primary)"), required=False)
    mobile = MobileField(label=_("Mobile phone"), required=False)
    phone = PhoneField(label=_("Contact phone"), required=False)

    field_order = [
        "national_id",
        "document_checked",
        "password",
        "password_again",
        "email",
        "mobile",
        "phone",
    ]

    def clean_national_id(self) -> str:
        # It runs before clean_password, which checks the password against this person's
        # ID and birthday (and the e-mail typed here), as on the registration site.
        national_id = normalise(self.cleaned_data["national_id"])
        validate_personal_id(national_id)
        self.person = Person.objects.filter(national_id=national_id).first()
        if self.person is None:
            raise forms.ValidationError(
                _("No insured person has this ID number. Check the number on the document."),
                code="unknown",
            )
        return national_id


class AccountChangeForm(forms.ModelForm):
    """Contact data, with the same checks as the registration site."""

    class Meta:
        model = Account
        fields = ["email", "backup_email", "mobile", "phone"]
        # Typed in any of the usual ways, stored in one form (core.phones).
        field_classes = {"mobile": MobileField, "phone": PhoneField}


class SuspensionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for suspension"),
        max_length=Account._meta.get_field("suspension_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Shown to staff only; write what the person or the rule asked for."),
        error_messages={"required": _("Write why the online services are suspended.")},
    )


# What happened to an account so far: shown, never edited here.
HISTORY = (
    "applied_at",
    "confirmed_at",
    "card_verified_at",
    "failed_logins",
    "locked_at",
    "suspension_reason",
)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    form = AccountChangeForm
    list_display = [
        "person_name",
        "masked_id",
        "status",
        "channel",
        "applied_at",
        "confirmed_at",
        "locked",
    ]
    list_filter = ["status", "channel"]
    list_select_related = ["person"]
    search_fields = PERSON_SEARCH
    show_full_result_count = False
    ordering = ["-pk"]
    fieldsets = [
        (None, {"fields": ["person", "status", "channel", "unit"]}),
        (_("Contact"), {"fields": ["email", "backup_email", "mobile", "phone"]}),
        (_("Registration and sign-in"), {"fields": HISTORY}),
    ]
    readonly_fields = ["person", "status", "channel", "unit", *HISTORY]
    add_form_template = "admin/identity/account/counter_registration.html"
    change_form_template = "admin/identity/account/change_form.html"
    change_list_template = "admin/identity/account/change_list.html"

    @admin.display(description=_("name"), ordering="person__name")
    def person_name(self, account: Account) -> str:
        return account.person.name

    @admin.display(description=NATIONAL_ID_LABEL)
    def masked_id(self, account: Account) -> str:
        return account.person.masked_id

    @admin.display(description=_("locked"), boolean=True)
    def locked(self, account: Account) -> bool:
        return account.is_locked

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("person", "unit")

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [
            path(
                "<path:object_id>/suspend/",
                self.admin_site.admin_view(self.suspend_view),
                name=f"{prefix}_suspend",
            ),
            path(
                "<path:object_id>/reinstate/",
                self.admin_site.admin_view(self.reinstate_view),
                name=f"{prefix}_reinstate",
            ),
        ]
        return own + super().get_urls()

    # --- counter registration (the add page) ---------------------------------------------

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CounterRegistrationForm(request.POST if request.method == "POST" else None)
        # A valid form has found the person (clean_national_id).
        if form.is_bound and form.is_valid() and form.person is not None:
            try:
                account = services.register_at_counter(
                    person=form.person,
                    password=form.cleaned_data["password"],
                    email=form.cleaned_data["email"],
                    mobile=form.cleaned_data["mobile"],
                    phone=form.cleaned_data["phone"],
                    staff_id=request.user.pk,
                )
            except services.IdentityError as exc:
                form.add_error(None, STAFF_MESSAGES.get(exc.code, exc.message))
            else:
                self.log_addition(request, account, gettext("Registered at the counter."))
                self.message_user(
                    request,
                    gettext("%(person)s is registered for online services.")
                    % {"person": account.person},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._change_url(account))
        fieldsets = [
            (None, {"fields": ["national_id", "document_checked"]}),
            (_("Password"), {"fields": ["password", "password_again"]}),
            (_("Contact"), {"fields": ["email", "mobile", "phone"]}),
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Counter registration"),
            "opts": self.opts,
            "form": form,
            # Any form renders in the admin's layout; the stubs ask for a ModelForm.
            "adminform": helpers.AdminForm(form, fieldsets, {}),  # type: ignore[arg-type]
            "errors": helpers.AdminErrorList(form, []),  # type: ignore[arg-type]
            "media": self.media + form.media,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.add_form_template, context)

    # --- change page: contact data, status buttons, audit trail -----------------------------

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        account = self.get_object(request, unquote(object_id))
        if account is not None and request.method == "GET":
            extra_context.update(self._status_context(request, account))
            if request.user.has_perm("audit.view_auditevent"):
                extra_context["audit_events"] = events_for(account.person)[:RECENT_EVENTS]
                extra_context["recent_events"] = RECENT_EVENTS
                extra_context["audit_url"] = (
                    reverse("admin:audit_auditevent_changelist", current_app=self.admin_site.name)
                    + f"?person__id__exact={account.person_id}"
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Account, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            # Staff changed contact data at the counter: the person sees it in their trail.
            record(
                action=AuditEvent.Action.ACCOUNT_UPDATED,
                person=obj.person,
                actor=AuditEvent.Actor.STAFF,
                actor_id=request.user.pk,
                method=AuditEvent.Method.COUNTER,
                fields=form.changed_data,
            )

    def _status_context(self, request: HttpRequest, account: Account) -> dict:
        may_change = self.has_change_permission(request, account)
        return {
            "may_suspend": may_change and account.status == Account.Status.ACTIVE,
            "may_reinstate": may_change and account.status == Account.Status.SUSPENDED,
        }

    def _change_url(self, account: Account) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[quote(account.pk)],
            current_app=self.admin_site.name,
        )

    # --- suspension and reinstatement ------------------------------------------------------

    def _account_to_change(self, request: HttpRequest, object_id: str) -> Account | None:
        account = self.get_object(request, unquote(object_id))
        if account is not None and not self.has_change_permission(request, account):
            raise PermissionDenied
        return account

    def _status_page(
        self, request: HttpRequest, account: Account, title, form: forms.Form | None
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "original": account,
            "form": form,
            "change_url": self._change_url(account),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/identity/account/status_change.html", context)

    def suspend_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """註冊停用: the reason is required and goes into the audit trail."""
        account = self._account_to_change(request, object_id)
        if account is None:
            # Django's own answer to a missing object; private, so not in the stubs.
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        if account.status != Account.Status.ACTIVE:
            self.message_user(
                request, gettext("Only a registered account can be suspended."), messages.WARNING
            )
            return HttpResponseRedirect(self._change_url(account))
        form = SuspensionForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            services.suspend(account=account, reason=reason, staff_id=request.user.pk)
            self.log_change(request, account, gettext("Suspended: %(reason)s") % {"reason": reason})
            self.message_user(
                request,
                gettext("Online services of %(person)s are suspended.")
                % {"person": account.person},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(self._change_url(account))
        return self._status_page(request, account, _("Suspend online services"), form)

    def reinstate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """恢復使用: a suspended account is registered again."""
        account = self._account_to_change(request, object_id)
        if account is None:
            # Django's own answer to a missing object; private, so not in the stubs.
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        if account.status != Account.Status.SUSPENDED:
            self.message_user(
                request, gettext("Only a suspended account can be reinstated."), messages.WARNING
            )
            return HttpResponseRedirect(self._change_url(account))
        if request.method == "POST":
            services.reinstate(account=account, staff_id=request.user.pk)
            self.log_change(request, account, gettext("Reinstated."))
            self.message_user(
                request,
                gettext("Online services of %(person)s are reinstated.")
                % {"person": account.person},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(self._change_url(account))
        return self._status_page(request, account, _("Reinstate online services"), None)


# --- family access (identity.delegation): the list, and recording it at the counter ---------


class CounterDelegationForm(DelegationFields):
    """家人健康存摺 at the counter: the owner is present and the clerk has checked their
    identity document, as at a counter registration; the family member still accepts online."""

    person: Person | None = None  # found by clean_national_id
    national_id = CounterRegistrationForm.base_fields["national_id"]
    document_checked = CounterRegistrationForm.base_fields["document_checked"]
    clean_national_id = CounterRegistrationForm.clean_national_id

    field_order = ["national_id", "document_checked"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    """Rows made by the owners online or here at the counter; never changed by hand, ended
    with the action (audited, e-mailed)."""

    list_display = ["owner", "delegate", "offered_by", "confirmed_at", "expires_at", "ended_at"]
    list_filter = ["offered_by", "ended_by"]
    list_select_related = ["owner", "delegate"]
    search_fields = [f"owner__{field}" for field in ("national_id", "name")]
    show_full_result_count = False
    ordering = ["-pk"]
    readonly_fields = [
        "owner",
        "delegate",
        "categories",
        "starts_at",
        "expires_at",
        "offered_by",
        "offered_by_staff",
        "confirmed_at",
        "ended_at",
        "ended_by",
        "created_at",
        "updated_at",
    ]
    actions = ["end_selected"]
    add_form_template = "admin/identity/account/counter_registration.html"

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and super().has_change_permission(request)  # the list's action

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("End the selected family access at once"))
    def end_selected(self, request: HttpRequest, queryset) -> None:
        ended = 0
        for pk in queryset.filter(ended_at__isnull=True).values_list("pk", flat=True):
            delegation.end(by=None, pk=pk, staff_id=request.user.pk)
            ended += 1
        self.message_user(
            request, gettext("%(count)d family access ended.") % {"count": ended}, messages.SUCCESS
        )

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CounterDelegationForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid() and form.person is not None:
            data = form.cleaned_data
            try:
                row = delegation.offer(
                    owner=form.person,
                    national_id=data["delegate_id"],
                    birth_date=data["delegate_birth_date"],
                    categories=data["categories"],
                    days=data["days"],
                    staff_id=request.user.pk,
                )
                if row is None:  # staff may be told: the owner is here and asks why
                    raise delegation.DelegationRefused("not_eligible")
            except delegation.DelegationRefused as refused:
                form.add_error(None, refused.message)
            else:
                self.log_addition(request, row, gettext("Recorded at the counter."))
                self.message_user(
                    request,
                    gettext("Recorded. %(delegate)s can see the records once they accept online.")
                    % {"delegate": row.delegate.name},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:identity_delegation_changelist"))
        fieldsets = [
            (
                _("The person whose records they are"),
                {"fields": ["national_id", "document_checked"]},
            ),
            (
                _("The family member"),
                {"fields": ["delegate_id", "delegate_birth_date", "categories", "days"]},
            ),
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Family access at the counter"),
            "opts": self.opts,
            "form": form,
            "adminform": helpers.AdminForm(form, fieldsets, {}),  # type: ignore[arg-type]
            "errors": helpers.AdminErrorList(form, []),  # type: ignore[arg-type]
            "media": self.media + form.media,
            "submit_label": _("Record family access"),
            "intro": _(
                "Record family access only for a person present at the counter whose identity "
                "document you have checked. The family member must accept it online."
            ),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.add_form_template, context)


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["platform", "model", "first_seen"]
    list_filter = ["platform"]
    ordering = ["-pk"]


@admin.register(DeviceBinding)
class DeviceBindingAdmin(ReadOnlyAdmin):
    list_display = ["account", "device", "verified_at", "active", "disabled_at"]
    list_filter = ["active"]
    list_select_related = ["account__person", "device"]
    ordering = ["-verified_at"]


# --- staff and insured-unit sign-ins: lockouts and the staff's second factor ----------------

# django-otp's own pages show every key and recovery code to whoever may view them (and in
# English only); staff see the lists below instead.
for _otp_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_otp_model):
        admin.site.unregister(_otp_model)


@admin.register(LoginLockout)
class LoginLockoutAdmin(admin.ModelAdmin):
    """Staff and unit sign-ins with wrong passwords or codes; a locked one is unlocked here
    (or with `healthbank unlocklogin NAME`) and only here."""

    list_display = ["user", "failures", "locked_at"]
    list_filter = [("locked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    ordering = ["-locked_at", "-failures"]
    actions = ["unlock"]
    readonly_fields = ["user", "failures", "locked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Unlock the selected sign-ins"), permissions=["change"])
    def unlock(self, request: HttpRequest, queryset) -> None:
        unlocked = [row for row in queryset.select_related("user") if row.is_locked]
        for row in unlocked:
            lockout.unlock(user=row.user, staff_id=request.user.pk)
            self.log_change(request, row, gettext("Unlocked."))
        self.message_user(
            request,
            gettext("%(count)s sign-ins unlocked.") % {"count": len(unlocked)},
            messages.SUCCESS,
        )


class SetUpFilter(admin.BooleanFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("set up")


@admin.register(StaffSecondFactor)
class StaffSecondFactorAdmin(admin.ModelAdmin):
    """Who enrolled an authenticator, never its key. Deleting one resets the staff member's
    second factor (a lost phone): the recovery codes go too, the next sign-in enrols."""

    # django-otp names its fields in English only: the columns are named here.
    list_display = ["staff_member", "set_up", "set_up_at", "used_at"]
    list_filter = [("confirmed", SetUpFilter)]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    ordering = ["user__username"]
    fields = readonly_fields = ("staff_member", "set_up", "set_up_at", "used_at")

    @admin.display(description=_("staff member"), ordering="user__username")
    def staff_member(self, device: StaffSecondFactor):
        return device.user

    @admin.display(description=_("set up"), boolean=True, ordering="confirmed")
    def set_up(self, device: StaffSecondFactor) -> bool:
        return device.confirmed

    @admin.display(description=_("set up at"), ordering="created_at")
    def set_up_at(self, device: StaffSecondFactor):
        return device.created_at

    @admin.display(description=_("last used"), ordering="last_used_at")
    def used_at(self, device: StaffSecondFactor):
        return device.last_used_at

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: StaffSecondFactor) -> None:
        second_factor.reset(user=obj.user, staff_id=request.user.pk)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for device in queryset.select_related("user"):
            second_factor.reset(user=device.user, staff_id=request.user.pk)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class SignOutOnDeactivationUserAdmin(UserAdmin):
    """Django's user admin (staff, insured units' and people's users); unticking "active"
    ends the user's open sessions and app tokens at once, not when they idle out."""

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.end_sessions(user=obj, reason="ended")
