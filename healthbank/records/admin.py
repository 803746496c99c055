"""Staff admin (/staff/) for health records.

What providers and agencies report is evidence of what they reported, so staff may only
look at it: no add, change or delete, whatever their permissions; corrections come from
the reporter as a new upload. Providers are master data and editable; measurements and
calendar events are the person's own entries and follow the usual permissions.

Every record table holds hundreds of rows per person: pages join what each row shows,
never render a select of all persons, and skip the unfiltered total count.
"""

from __future__ import annotations

from django.contrib import admin

from healthbank.core.admin import ReadOnly
from healthbank.people.admin import PERSON_SEARCH
from healthbank.records.models import (
    Allergy,
    CalendarEvent,
    CareWish,
    DischargeSummary,
    DrugOrder,
    EmergencyLoad,
    FirstAidGuide,
    ImagingReport,
    LabResult,
    Measurement,
    PreventiveCheck,
    Provider,
    ServiceOrder,
    Surgery,
    Vaccination,
    Visit,
    VisitDiagnosis,
)


def _staff(request) -> bool:
    return request.user.is_active and request.user.is_staff


class ReadOnlyMixin(ReadOnly):
    """Viewable by every active staff member; never added, changed or deleted here."""

    def has_view_permission(self, request, obj=None) -> bool:
        return _staff(request)


class ReportedRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    search_fields = PERSON_SEARCH
    show_full_result_count = False
    # Newest rows first through the primary key, which needs no sort of the whole table.
    ordering = ["-pk"]

    def has_module_permission(self, request) -> bool:
        return _staff(request)


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    exclude = ["person"]
    select_related: list[str] = []

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.select_related)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "county", "township", "phone"]
    list_filter = ["kind", "county"]
    list_select_related = ["county", "township__county"]
    search_fields = ["^code", "name"]  # a code from its first digits
    ordering = ["code"]  # the accepting-provider autocomplete pages through them
    # Departments by typing a code or name, as every code table is picked (issue 19, item 10).
    autocomplete_fields = ["township", "departments"]


@admin.register(EmergencyLoad)
class EmergencyLoadAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """What hospitals reported of their emergency rooms (the feed's er_load rows)."""

    list_display = [
        "provider",
        "reported_at",
        "waiting_to_be_seen",
        "waiting_for_bed",
        "waiting_for_admission",
    ]
    list_select_related = ["provider"]
    search_fields = ["=provider__code", "provider__name"]
    show_full_result_count = False
    ordering = ["-pk"]


@admin.register(FirstAidGuide)
class FirstAidGuideAdmin(admin.ModelAdmin):
    """急症處理: the first-aid guides the app shows, written by staff in both languages."""

    list_display = ["title_zh", "title_en", "position", "published", "updated_at"]
    list_editable = ["position", "published"]
    search_fields = ["title_zh", "title_en", "slug"]


class VisitDiagnosisInline(ReadOnlyInline):
    model = VisitDiagnosis
    select_related = ["diagnosis"]


class DrugOrderInline(ReadOnlyInline):
    model = DrugOrder
    select_related = ["drug"]


class ServiceOrderInline(ReadOnlyInline):
    model = ServiceOrder
    select_related = ["service", "tooth"]


class SurgeryInline(ReadOnlyInline):
    model = Surgery
    select_related = ["service", "body_site"]


@admin.register(Visit)
class VisitAdmin(ReportedRecordAdmin):
    list_display = [
        "visit_date",
        "kind",
        "person",
        "provider",
        "department",
        "primary_diagnosis",
        "copayment",
        "points",
    ]
    list_filter = ["kind", "chronic_refill", "department"]
    list_select_related = ["person", "provider", "department", "primary_diagnosis"]
    date_hierarchy = "visit_date"
    inlines = [VisitDiagnosisInline, DrugOrderInline, ServiceOrderInline, SurgeryInline]


@admin.register(VisitDiagnosis)
class VisitDiagnosisAdmin(ReportedRecordAdmin):
    list_display = ["visit", "person", "rank", "diagnosis"]
    list_select_related = ["visit", "person", "diagnosis"]
    search_fields = [*PERSON_SEARCH, "^diagnosis__code"]


@admin.register(DrugOrder)
class DrugOrderAdmin(ReportedRecordAdmin):
    list_display = ["visit", "person", "drug", "days", "quantity", "frequency"]
    list_select_related = ["visit", "person", "drug"]
    search_fields = [*PERSON_SEARCH, "^drug__code"]


@admin.register(ServiceOrder)
class ServiceOrderAdmin(ReportedRecordAdmin):
    list_display = ["visit", "person", "service", "quantity", "tooth"]
    list_select_related = ["visit", "person", "service", "tooth"]
    search_fields = [*PERSON_SEARCH, "^service__code"]


@admin.register(Surgery)
class SurgeryAdmin(ReportedRecordAdmin):
    list_display = ["performed_on", "person", "service", "body_site", "visit"]
    list_select_related = ["visit", "person", "service", "body_site"]
    date_hierarchy = "performed_on"


@admin.register(LabResult)
class LabResultAdmin(ReportedRecordAdmin):
    list_display = ["collected_on", "person", "item", "value_text", "flag", "provider"]
    list_filter = ["flag", "item__panel"]
    list_select_related = ["person", "item", "provider"]
    date_hierarchy = "collected_on"


@admin.register(ImagingReport)
class ImagingReportAdmin(ReportedRecordAdmin):
    list_display = ["examined_on", "person", "kind", "service", "body_site", "provider"]
    list_filter = ["kind"]
    list_select_related = ["person", "service", "body_site", "provider"]
    date_hierarchy = "examined_on"


@admin.register(DischargeSummary)
class DischargeSummaryAdmin(ReportedRecordAdmin):
    list_display = ["discharged_on", "person", "admitted_on", "provider"]
    list_select_related = ["person", "provider"]
    date_hierarchy = "discharged_on"


@admin.register(Allergy)
class AllergyAdmin(ReportedRecordAdmin):
    list_display = ["recorded_on", "person", "substance", "drug", "reaction", "provider"]
    list_select_related = ["person", "drug", "provider"]
    date_hierarchy = "recorded_on"


@admin.register(Vaccination)
class VaccinationAdmin(ReportedRecordAdmin):
    list_display = ["given_on", "person", "vaccine", "lot_number", "provider"]
    list_filter = ["vaccine"]
    list_select_related = ["person", "vaccine", "provider"]
    date_hierarchy = "given_on"


@admin.register(PreventiveCheck)
class PreventiveCheckAdmin(ReportedRecordAdmin):
    list_display = [
        "checked_on",
        "person",
        "provider",
        "blood_pressure_result",
        "lipid_result",
        "glucose_result",
        "kidney_result",
        "liver_result",
    ]
    list_select_related = ["person", "provider"]
    date_hierarchy = "checked_on"


@admin.register(CareWish)
class CareWishAdmin(ReportedRecordAdmin):
    list_display = ["signed_on", "person", "kind", "noted_on", "revoked_on", "provider"]
    list_filter = ["kind"]
    list_select_related = ["person", "provider"]
    date_hierarchy = "signed_on"


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ["measured_at", "person", "kind", "value"]
    list_filter = ["kind"]
    list_select_related = ["person"]
    search_fields = PERSON_SEARCH
    autocomplete_fields = ["person"]
    date_hierarchy = "measured_at"
    show_full_result_count = False
    ordering = ["-pk"]


@admin.register(CalendarEvent)
class CalendarEventAdmin(admin.ModelAdmin):
    list_display = ["date", "time", "person", "title"]
    list_select_related = ["person"]
    search_fields = [*PERSON_SEARCH, "title"]
    autocomplete_fields = ["person"]
    date_hierarchy = "date"
    show_full_result_count = False
    ordering = ["-pk"]
