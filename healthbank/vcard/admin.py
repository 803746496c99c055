"""Staff admin (/staff/) for the virtual NHI card: the review queue of applications (seed 004:
staff compare the identity document with the half-body photo, then approve, or reject with a
reason the applicant reads), the cards and authorisations (read-only), and the providers that
accept the card (editable).

Applications change only through vcard.services; their photos are private files served here
to staff who may view applications, never cached.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from healthbank.audit.services import Action, Actor, client_address, record
from healthbank.core.admin import ReadOnlyAdmin
from healthbank.core.http import signed_in_user
from healthbank.core.meta import model_field
from healthbank.files import images
from healthbank.identity.review_admin import OpenFirst
from healthbank.identity.staff_reads import reason_detail
from healthbank.vcard import services
from healthbank.vcard.models import AcceptingSite, Application, Authorisation, VirtualCard

NATIONAL_ID_LABEL = capfirst(_("national ID / resident certificate no."))  # Person's label
PERSON_SEARCH = ["=person__national_id", "person__name"]

PENDING = Application.Status.PENDING

# Reasons reviewers give most often; picked, then edited if need be, before rejecting.
COMMON_REASONS = {
    "blurred": _("The photo is blurred and cannot be recognised."),
    "not_portrait": _("The photo is not a front-facing half-body photo of the person."),
    "mismatch": _("The identity document does not match the applicant's data."),
    "incomplete": _("The image of the identity document is incomplete."),
}

PHOTOS = {"document": "document_image", "portrait": "portrait_image"}


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=capfirst(Application._meta.get_field("rejection_reason").verbose_name),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_(
            "The applicant reads this in the app and in the e-mail: say what was wrong and "
            "what to upload instead."
        ),
        error_messages={"required": _("Write why the application is rejected.")},
    )


def _reviewed_message(application: Application) -> str:
    return gettext(
        "This application was already reviewed (%(status)s) by %(reviewer)s at %(at)s; "
        "nothing was changed."
    ) % {
        "status": application.get_status_display(),
        "reviewer": application.reviewed_by or gettext("the system"),
        "at": date_format(timezone.localtime(application.reviewed_at), "DATETIME_FORMAT")
        if application.reviewed_at
        else "-",
    }


def _heading(application: Application) -> str:
    """How staff pages name an application: whose card, what kind, where it stands."""
    return " · ".join(
        [str(application.person), application.get_kind_display(), application.get_status_display()]
    )


@admin.register(Application)
class ApplicationAdmin(OpenFirst, ReadOnlyAdmin):  # changed only by the review actions below
    """The review queue: pending applications first, the oldest at the top."""

    open_statuses = frozenset({PENDING})

    list_display = [
        "submitted_at",
        "holder",
        "applicant_if_other",
        "kind",
        "document_kind",
        "status",
    ]
    list_display_links = ["submitted_at", "holder"]
    list_filter = ["status", "kind"]
    list_select_related = ["person", "applicant"]
    search_fields = PERSON_SEARCH
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["status", "kind", "document_kind", "submitted_at"]}),
        (_("Contact"), {"fields": ["contact_phone", "email", "terms_accepted_at"]}),
    ]
    review_fields = ["reviewed_by", "reviewed_at", "rejection_reason"]
    read_reason = "application"  # staff_reads: the reason offered first
    change_form_template = "admin/vcard/application/change_form.html"

    @admin.display(description=_("card holder"), ordering="person__name")
    def holder(self, application: Application) -> str:
        return str(application.person)

    @admin.display(description=_("applicant, if another (依附眷屬)"))
    def applicant_if_other(self, application: Application) -> str:
        if application.applicant_id == application.person_id:
            return ""
        return str(application.applicant)

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("person__household", "applicant", "reviewed_by")
        )

    def get_fieldsets(self, request: HttpRequest, obj=None):
        if obj is not None and obj.status != PENDING:
            return [*self.fieldsets, (_("Review"), {"fields": self.review_fields})]
        return self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fieldsets = self.get_fieldsets(request, obj)
        return [name for _title, options in fieldsets for name in options["fields"]]

    def may_review(self, request: HttpRequest) -> bool:
        """The model's change permission, which the form itself never uses."""
        codename = get_permission_codename("change", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [
            path(
                "<path:object_id>/photo/<str:which>/",
                self.admin_site.admin_view(self.photo_view),
                name=f"{prefix}_photo",
            ),
            path(
                "<path:object_id>/approve/",
                self.admin_site.admin_view(require_POST(self.approve_view)),
                name=f"{prefix}_approve",
            ),
            path(
                "<path:object_id>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name=f"{prefix}_reject",
            ),
        ]
        return own + super().get_urls()

    def _url(self, view: str, application: Application, *args) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}",
            args=[quote(application.pk), *args],
            current_app=self.admin_site.name,
        )

    # --- the change page: both photos side by side, the person's data, the review ---------

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        if application is not None:
            person = application.person
            extra_context = {
                **(extra_context or {}),
                "subtitle": _heading(application),
                "person": person,
                "age": person.age_on(timezone.localdate()),
                "document_url": self._url("photo", application, "document"),
                "portrait_url": self._url("photo", application, "portrait"),
                "may_review": application.status == PENDING and self.may_review(request),
                "approve_url": self._url("approve", application),
                "reject_url": self._url("reject", application),
                "common_reasons": list(COMMON_REASONS.items()),
                "national_id_label": NATIONAL_ID_LABEL,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def photo_view(self, request: HttpRequest, object_id: str, which: str) -> FileResponse:
        """An application's document or portrait, to staff who may view applications."""
        application = self.get_object(request, unquote(object_id))
        if application is None or which not in PHOTOS:
            raise Http404
        if not self.has_view_permission(request, application):
            raise PermissionDenied
        photo = images.open_photo(getattr(application, PHOTOS[which]))
        record(
            action=Action.VCARD_PHOTOS_READ,
            person=application.person,
            actor=Actor.STAFF,
            actor_id=request.user.pk,
            address=client_address(request),
            application=application.pk,
            photo=which,
            **reason_detail(request, application.person_id),
        )
        response = FileResponse(photo, content_type="image/jpeg")
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    # --- review actions ----------------------------------------------------------------------

    def _to_review(self, request: HttpRequest, object_id: str) -> Application:
        if not self.may_review(request):
            raise PermissionDenied
        application = self.get_object(request, unquote(object_id))
        if application is None:
            raise Http404
        return application

    def _already_reviewed(self, request: HttpRequest, application: Application) -> HttpResponse:
        application.refresh_from_db()
        self.message_user(request, _reviewed_message(application), messages.ERROR)
        return HttpResponseRedirect(self._url("change", application))

    def _queue_url(self) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
            current_app=self.admin_site.name,
        )

    def approve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """核准: the card exists from now, with the portrait as its photo."""
        application = self._to_review(request, object_id)
        try:
            services.approve(application=application, staff_user=signed_in_user(request))
        except services.VcardError as refused:
            if refused.code != "not_pending":
                raise
            return self._already_reviewed(request, application)
        self.log_change(request, application, gettext("Approved."))
        self.message_user(
            request,
            gettext("Approved: %(person)s has a virtual NHI card; the applicant is e-mailed.")
            % {"person": application.person},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._queue_url())

    def reject_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """退件: with a reason the applicant reads; a common one can be picked and edited."""
        application = self._to_review(request, object_id)
        if application.status != PENDING:
            return self._already_reviewed(request, application)
        if request.method == "POST":
            form = RejectionForm(request.POST)
        else:
            picked = COMMON_REASONS.get(request.GET.get("reason", ""))
            form = RejectionForm(initial={"reason": picked} if picked else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                services.reject(
                    application=application, staff_user=signed_in_user(request), reason=reason
                )
            except services.VcardError as refused:
                if refused.code != "not_pending":
                    raise
                return self._already_reviewed(request, application)
            self.log_change(
                request, application, gettext("Rejected: %(reason)s") % {"reason": reason}
            )
            self.message_user(
                request,
                gettext("Rejected: the applicant is told the reason by e-mail and in the app."),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(self._queue_url())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject the application"),
            "opts": self.opts,
            "original": application,
            "heading": _heading(application),
            "form": form,
            "common_reasons": [
                (f"{self._url('reject', application)}?reason={key}", text)
                for key, text in COMMON_REASONS.items()
            ],
            "change_url": self._url("change", application),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/vcard/application/reject.html", context)


@admin.register(VirtualCard)
class VirtualCardAdmin(ReadOnlyAdmin):
    list_display = ["person", "issued_at", "application"]
    list_select_related = ["person", "application"]
    search_fields = PERSON_SEARCH
    fields = ["person", "application", "issued_at"]
    ordering = ["-issued_at"]
    show_full_result_count = False


@admin.register(Authorisation)
class AuthorisationAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "status",
        "grantor",
        "grantee",
        "provider",
        "starts_at",
        "ends_at",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["grantor", "grantee", "provider"]
    search_fields = ["=grantor__national_id", "grantor__name", "=grantee__national_id"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "status",
        "grantor",
        "grantee",
        "provider",
        "starts_at",
        "ends_at",
        "consent_by",
        "created_at",
        "agreed_at",
        "revoked_at",
    ]
    ordering = ["-created_at"]
    show_full_result_count = False


class ServiceFilter(admin.SimpleListFilter):
    title = _("service")
    parameter_name = "service"

    def lookups(self, request, model_admin):
        return [
            (name, capfirst(model_field(AcceptingSite, name).verbose_name))
            for name in AcceptingSite.SERVICES
        ]

    def queryset(self, request, queryset):
        if (service := self.value()) in AcceptingSite.SERVICES:
            return queryset.filter(**{service: True})
        return queryset


class AcceptingSiteForm(forms.ModelForm):
    class Meta:
        model = AcceptingSite
        fields = ["provider", *AcceptingSite.SERVICES, "since"]

    def clean(self):
        cleaned = super().clean() or {}
        if not any(cleaned.get(name) for name in AcceptingSite.SERVICES):
            raise forms.ValidationError(
                _("Tick at least one service the provider accepts the card for."),
                code="no_service",
            )
        return cleaned


@admin.register(AcceptingSite)
class AcceptingSiteAdmin(admin.ModelAdmin):
    form = AcceptingSiteForm
    list_display = [
        "provider",
        "provider_code",
        "county",
        "outpatient",
        "video",
        "telemedicine",
        "home_care",
        "since",
    ]
    list_filter = [ServiceFilter, ("provider__county", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["provider__county"]
    search_fields = ["=provider__code", "provider__name"]
    autocomplete_fields = ["provider"]
    fields = ["provider", "outpatient", "video", "telemedicine", "home_care", "since"]
    ordering = ["provider__county_id", "provider__name"]

    @admin.display(description=_("provider code"), ordering="provider__code")
    def provider_code(self, site: AcceptingSite) -> str:
        return site.provider.code

    @admin.display(description=_("county"), ordering="provider__county_id")
    def county(self, site: AcceptingSite) -> str:
        return str(site.provider.county)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # The provider is the row's key: another provider is another row.
        return ["provider"] if obj else []
