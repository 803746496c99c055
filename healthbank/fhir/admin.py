"""Third-party apps on the staff pages (/staff/fhir/listing/): the review queue of production
apps (pending first, the oldest at the top), with approve, reject and suspend. Rejecting or
suspending takes a reason, which the developer sees on their app's page, and stops every
token the app holds at once (fhir/services.review_app).

django-oauth-toolkit's own admin pages (applications, tokens, codes) are taken off: an app
is reviewed through its listing, and tokens are secrets staff have no use for.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from oauth2_provider import admin as _toolkit_admin  # noqa: F401  # registers its pages first
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from healthbank.core.admin import ReadOnlyAdmin
from healthbank.core.http import signed_in_user
from healthbank.fhir import services
from healthbank.fhir.models import Developer, Grant, Listing, SandboxPerson

for _model in (
    get_application_model(),
    get_access_token_model(),
    get_refresh_token_model(),
    get_grant_model(),
    get_id_token_model(),
):
    admin.site.unregister(_model)


class ReviewActionForm(ActionForm):
    """The changelist's action bar with the reason the developer is shown (on their app's
    page) beside a rejection or suspension."""

    note = forms.CharField(
        label=_("Reason shown to the developer (required to reject or suspend)"),
        required=False,
        max_length=500,
    )


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "publisher",
        "environment",
        "status",
        "registered_at",
        "reviewed_at",
    ]
    list_filter = ["status", "environment"]
    search_fields = ["application__name", "publisher"]
    list_select_related = ["application"]
    readonly_fields = [
        "name",
        "client_id",
        "redirect_uris",
        "publisher",
        "description",
        "privacy_policy",
        "homepage",
        "environment",
        "status",
        "registered_at",
        "reviewed_by",
        "reviewed_at",
        "review_note",
    ]
    fields = tuple(readonly_fields)
    actions = ["approve", "reject", "suspend"]
    action_form = ReviewActionForm
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Listing]:
        pending = When(status=Listing.Status.PENDING, then=Value(0))
        return (
            super()
            .get_queryset(request)
            .select_related("application", "reviewed_by")
            .annotate(decided=Case(pending, default=Value(1), output_field=IntegerField()))
        )

    def get_ordering(self, request: HttpRequest):
        return [F("decided").asc(), F("registered_at").asc()]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The actions need it; the page itself stays read-only (every field is).
        return admin.ModelAdmin.has_change_permission(self, request, obj)

    @admin.display(description=_("app name"), ordering="application__name")
    def name(self, listing: Listing) -> str:
        return listing.application.name

    @admin.display(description=_("client ID"))
    def client_id(self, listing: Listing) -> str:
        return listing.application.client_id

    @admin.display(description=_("redirect URIs"))
    def redirect_uris(self, listing: Listing) -> str:
        return listing.application.redirect_uris

    def _review(self, request: HttpRequest, queryset: QuerySet[Listing], status: str) -> None:
        staff = signed_in_user(request)
        note = request.POST.get("note", "").strip()[:500]
        if status != Listing.Status.APPROVED and not note:
            messages.error(
                request,
                _("Give the reason the developer will be shown, then reject or suspend again."),
            )
            return
        for listing in queryset:
            services.review_app(listing=listing, staff_user=staff, status=status, note=note)
        messages.success(
            request,
            _("%(count)s apps: %(status)s.")
            % {"count": len(queryset), "status": Listing.Status(status).label},
        )

    @admin.action(description=_("Approve the selected apps"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        self._review(request, queryset, Listing.Status.APPROVED)

    @admin.action(description=_("Reject the selected apps"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        self._review(request, queryset, Listing.Status.REJECTED)

    @admin.action(
        description=_("Suspend the selected apps (their tokens stop at once)"),
        permissions=["change"],
    )
    def suspend(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        self._review(request, queryset, Listing.Status.SUSPENDED)


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ["listing", "person", "granted_at", "expires_at", "revoked_at", "last_used_at"]
    list_select_related = ["listing__application", "person"]
    list_filter = ["listing__environment"]
    search_fields = ["person__national_id"]
    ordering = ["-granted_at"]
    show_full_result_count = False


@admin.register(SandboxPerson)
class SandboxPersonAdmin(admin.ModelAdmin):
    list_display = ["person", "added_at"]
    list_select_related = ["person"]
    autocomplete_fields = ["person"]
    search_fields = ["person__national_id"]
    ordering = ["-added_at"]


@admin.register(Developer)
class DeveloperAdmin(ReadOnlyAdmin):
    list_display = ["email", "created_at"]
    search_fields = ["email"]
    ordering = ["-created_at"]
