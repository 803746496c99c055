"""Agencies on the staff pages (/staff/agencies/agency/): a staff member registers one (its
names, purpose, redirect URIs and the claims it may ask for), another approves it; staff
may reject or suspend with a reason, which stops every token it holds at once. The review
is the apps' (fhir/admin.py) with four eyes: nobody approves an agency they registered."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from healthbank.agencies import claims, services
from healthbank.agencies.models import Agency
from healthbank.core.http import signed_in_user


class RegistrationForm(forms.ModelForm):
    redirect_uris = forms.CharField(
        label=_("redirect URIs"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line; https only."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("claims it may ask for"),
        choices=[(s.scope, s.label) for s in claims.SCOPES.values()],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Agency
        fields = ["name", "name_en", "purpose", "purpose_en"]

    def clean_redirect_uris(self) -> list[str]:
        uris = self.cleaned_data["redirect_uris"].split()
        check = URLValidator(schemes=["https"])
        for uri in uris:
            try:
                check(uri)
            except ValidationError:
                raise ValidationError(
                    _("%(uri)s is not an https address: an agency's redirect URI must be one.")
                    % {"uri": uri}
                ) from None
            if "#" in uri:
                raise ValidationError(_("A redirect URI may not have a fragment (#)."))
        return uris


class ReviewActionForm(ActionForm):
    note = forms.CharField(
        label=_("Reason (required to reject or suspend)"), required=False, max_length=500
    )


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "status", "is_demo", "registered_at", "reviewed_at"]
    list_filter = ["status"]
    search_fields = ["name", "name_en"]
    actions = ["approve", "reject", "suspend"]
    action_form = ReviewActionForm
    show_full_result_count = False
    readonly_fields = [
        "name",
        "name_en",
        "purpose",
        "purpose_en",
        "client_id",
        "redirect_uris",
        "scopes",
        "is_demo",
        "status",
        "registered_by",
        "registered_at",
        "reviewed_by",
        "reviewed_at",
        "review_note",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agency]:
        return (
            super()
            .get_queryset(request)
            .select_related("application", "registered_by", "reviewed_by")
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return RegistrationForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "name_en", "purpose", "purpose_en", "redirect_uris", "scopes"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return  # every field is read-only once registered: the actions review it
        data = form.cleaned_data
        agency, secret = services.register_agency(
            name=data["name"],
            name_en=data["name_en"],
            purpose=data["purpose"],
            purpose_en=data["purpose_en"],
            redirect_uris=data["redirect_uris"],
            scopes=data["scopes"],
            staff_user=signed_in_user(request),
        )
        obj.pk = agency.pk
        messages.warning(
            request,
            _(
                "Client ID %(client_id)s, client secret %(secret)s: give both to the agency "
                "now; the secret is not shown again. Another staff member must approve it."
            )
            % {"client_id": agency.application.client_id, "secret": secret},
        )

    @admin.display(description=_("client ID"))
    def client_id(self, agency: Agency) -> str:
        return agency.application.client_id

    @admin.display(description=_("redirect URIs"))
    def redirect_uris(self, agency: Agency) -> str:
        return agency.application.redirect_uris

    def _review(self, request: HttpRequest, queryset: QuerySet[Agency], status: str) -> None:
        staff = signed_in_user(request)
        note = request.POST.get("note", "").strip()[:500]
        if status != Agency.Status.APPROVED and not note:
            messages.error(request, _("Give the reason, then reject or suspend again."))
            return
        done = 0
        for agency in queryset:
            try:
                services.review_agency(agency=agency, staff_user=staff, status=status, note=note)
            except services.ReviewRefused as refused:
                messages.error(request, f"{agency.name}: {refused.message}")
            else:
                done += 1
        if done:
            messages.success(
                request,
                _("%(count)s agencies: %(status)s.")
                % {"count": done, "status": Agency.Status(status).label},
            )

    @admin.action(description=_("Approve the selected agencies"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Agency]) -> None:
        self._review(request, queryset, Agency.Status.APPROVED)

    @admin.action(description=_("Reject the selected agencies"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Agency]) -> None:
        self._review(request, queryset, Agency.Status.REJECTED)

    @admin.action(
        description=_("Suspend the selected agencies (their sign-ins stop at once)"),
        permissions=["change"],
    )
    def suspend(self, request: HttpRequest, queryset: QuerySet[Agency]) -> None:
        self._review(request, queryset, Agency.Status.SUSPENDED)
