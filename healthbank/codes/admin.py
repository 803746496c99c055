"""Staff admin (/staff/) for the code tables: staff with the permissions edit them."""

from __future__ import annotations

from django.contrib import admin

from healthbank.codes.models import (
    AtcClass,
    BodySite,
    Department,
    Diagnosis,
    Drug,
    LabItem,
    Service,
    ToothPosition,
    Vaccine,
)


class CodeTableAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]
    search_fields = ["^code", "name_zh", "name_en"]


@admin.register(Diagnosis)
class DiagnosisAdmin(CodeTableAdmin):
    list_display = [*CodeTableAdmin.list_display, "chronic"]
    list_filter = ["chronic"]


@admin.register(AtcClass)
class AtcClassAdmin(CodeTableAdmin):
    pass


@admin.register(Drug)
class DrugAdmin(CodeTableAdmin):
    list_display = [*CodeTableAdmin.list_display, "kind", "generic_name", "atc", "form", "strength"]
    list_filter = ["kind", "form"]
    list_select_related = ["atc"]
    search_fields = [*CodeTableAdmin.search_fields, "generic_name", "^atc__code"]
    autocomplete_fields = ["atc"]


@admin.register(Service)
class ServiceAdmin(CodeTableAdmin):
    list_display = [*CodeTableAdmin.list_display, "category", "points"]
    list_filter = ["category"]


@admin.register(Vaccine)
class VaccineAdmin(CodeTableAdmin):
    list_display = [*CodeTableAdmin.list_display, "antigen"]
    list_filter = ["antigen"]


@admin.register(LabItem)
class LabItemAdmin(CodeTableAdmin):
    list_display = [
        *CodeTableAdmin.list_display,
        "short_name",
        "panel",
        "kind",
        "unit",
        "reference_text",
    ]
    list_filter = ["panel", "kind"]
    search_fields = [*CodeTableAdmin.search_fields, "short_name"]


@admin.register(ToothPosition)
class ToothPositionAdmin(CodeTableAdmin):
    list_display = [*CodeTableAdmin.list_display, "dentition", "quadrant"]
    list_filter = ["dentition", "quadrant"]


@admin.register(BodySite)
class BodySiteAdmin(CodeTableAdmin):
    list_display = [*CodeTableAdmin.list_display, "region"]
    list_filter = ["region"]


@admin.register(Department)
class DepartmentAdmin(CodeTableAdmin):
    pass
