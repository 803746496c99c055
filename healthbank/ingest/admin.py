"""Staff pages (/staff/) for provider feeds: issuing and revoking upload credentials, and
looking at batches. The secret of a new credential is shown once, on the page after issuing;
only its hash is kept, so a lost secret means a new credential."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from healthbank.core.admin import ReadOnlyAdmin
from healthbank.core.http import signed_in_user
from healthbank.ingest import services
from healthbank.ingest.models import Batch, BatchProblem, Credential
from healthbank.ingest.rows import TYPES
from healthbank.ingest.writes import MODELS

# A credential's scopes as staff read them: the records each row type writes.
SCOPES = {kind: capfirst(MODELS[kind]._meta.verbose_name_plural) for kind in TYPES}


def scope_names(scopes: list[str]) -> str:
    return pgettext("list separator", ", ").join(str(SCOPES.get(kind, kind)) for kind in scopes)


class CredentialForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("row types it may send"),
        choices=list(SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Leave empty for the default of the provider's kind: care records for hospitals, "
            "clinics and pharmacies; vaccinations for the CDC; adult preventive checks for "
            "the HPA; care wishes for the MOHW."
        ),
    )

    class Meta:
        model = Credential
        fields = ["provider", "label", "scopes"]


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    form = CredentialForm
    list_display = [
        "key_id",
        "provider",
        "label",
        "scope_list",
        "issued_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["provider"]
    search_fields = ["=key_id", "=provider__code", "provider__name", "label"]
    autocomplete_fields = ["provider"]  # thousands of providers: found by code or name
    readonly_fields = ["key_id", "issued_at", "issued_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description=_("row types it may send"))
    def scope_list(self, obj: Credential) -> str:
        return scope_names(obj.scopes)

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "provider"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked, never deleted: its batches name it

    def save_model(self, request: HttpRequest, obj: Credential, form, change: bool) -> None:
        if change:
            obj.save()
            return
        token = services.issue_credential(credential=obj, issued_by=signed_in_user(request))
        messages.warning(
            request,
            gettext(
                "The credential's token is shown only now; give it to the provider's IT staff "
                "by a safe channel: %(token)s"
            )
            % {"token": token},
        )

    @admin.action(description=_("Revoke the selected credentials"))
    def revoke(self, request: HttpRequest, queryset) -> None:
        count = 0
        for credential in queryset.filter(revoked_at__isnull=True):
            services.revoke_credential(credential=credential, revoked_by=signed_in_user(request))
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d credential revoked.", "%(count)d credentials revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class BatchProblemInline(admin.TabularInline):
    model = BatchProblem
    fields = readonly_fields = ("position", "field", "message")
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("position", "pk")


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "provider",
        "format",
        "status",
        "received",
        "accepted",
        "rejected",
        "voided",
        "created_at",
        "duration",
    ]
    list_filter = ["status", "format"]
    list_select_related = ["provider"]
    search_fields = ["=provider__code", "provider__name"]
    show_full_result_count = False
    inlines = [BatchProblemInline]

    @admin.display(description=_("processing time"))
    def duration(self, batch: Batch):
        return batch.duration

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff
