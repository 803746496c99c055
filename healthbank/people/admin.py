"""Staff admin (/staff/) for NHIA master data: divisions, households, people, enrolment,
cards and premiums. All of it is NHIA's own data, so staff with the permissions edit it.

Person-owned tables grow with the population: their pages never render a select of all
persons (staff find one by typing: autocomplete), join what each row shows, and skip the
unfiltered total count.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from healthbank.people.models import (
    CardIssuance,
    County,
    Enrolment,
    Household,
    InsuredUnit,
    MailingAddress,
    NhiCard,
    Person,
    PremiumBill,
    PremiumPayment,
    Township,
    Village,
)

# How staff find a person's rows from any table that has a `person`.
PERSON_SEARCH = ["=person__national_id", "person__name"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "letter", "name_zh", "name_en"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "county", "postal_code"]
    list_filter = ["county"]
    search_fields = ["code", "name_zh", "name_en", "postal_code"]

    def get_queryset(self, request):
        # A township is named with its county (臺北市中正區): one join for the list and the
        # autocomplete alike, not a query per row.
        return super().get_queryset(request).select_related("county")


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "township"]
    list_filter = ["township__county"]
    list_select_related = ["township__county"]
    search_fields = ["code", "name_zh", "name_en", "township__name_zh"]
    autocomplete_fields = ["township"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    # The full address (county, township, village, 鄰, street): what registration asks for.
    list_display = ["number", "registered_address", "head"]
    list_select_related = ["village__township__county", "head"]
    fields = ["number", "registered_address", "village", "neighbourhood", "street_address", "head"]
    readonly_fields = ["registered_address"]
    search_fields = ["=number", "=head__national_id", "head__name"]
    autocomplete_fields = ["village", "head"]
    show_full_result_count = False

    @admin.display(description=_("Registered address"))
    def registered_address(self, household: Household) -> str:
        return household.address if household.village_id else "-"


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    fk_name = "person"
    extra = 0
    autocomplete_fields = ["insured_person", "unit"]
    ordering = ["-start_date"]


class NhiCardInline(admin.TabularInline):
    model = NhiCard
    extra = 0
    ordering = ["-issued_on"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["national_id", "name", "sex", "birth_date", "household"]
    list_filter = ["sex"]
    list_select_related = ["household"]
    search_fields = ["=national_id", "name"]
    autocomplete_fields = ["household"]
    readonly_fields = ["created_at"]
    inlines = [EnrolmentInline, NhiCardInline]
    show_full_result_count = False


@admin.register(InsuredUnit)
class InsuredUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "township", "contact_name", "phone"]
    list_filter = ["kind"]
    list_select_related = ["township__county"]
    search_fields = ["^code", "name"]  # a code from its first digits
    autocomplete_fields = ["township"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = [
        "person",
        "role",
        "relation",
        "insured_person",
        "unit",
        "category",
        "status",
        "start_date",
        "end_date",
    ]
    list_filter = ["status", "role", "category"]
    list_select_related = ["person", "insured_person", "unit"]
    search_fields = PERSON_SEARCH
    autocomplete_fields = ["person", "insured_person", "unit"]
    date_hierarchy = "start_date"
    show_full_result_count = False


@admin.register(NhiCard)
class NhiCardAdmin(admin.ModelAdmin):
    list_display = ["number", "person", "issued_on", "status"]
    list_filter = ["status"]
    list_select_related = ["person"]
    search_fields = ["=number", *PERSON_SEARCH]
    autocomplete_fields = ["person"]
    show_full_result_count = False


@admin.register(CardIssuance)
class CardIssuanceAdmin(admin.ModelAdmin):
    list_display = ["person", "card", "reason", "channel", "applied_on", "issued_on", "fee"]
    list_filter = ["reason", "channel"]
    list_select_related = ["person", "card"]
    search_fields = PERSON_SEARCH
    autocomplete_fields = ["person", "card"]
    date_hierarchy = "applied_on"
    show_full_result_count = False


@admin.register(MailingAddress)
class MailingAddressAdmin(admin.ModelAdmin):
    """The person changes it online (通訊地址變更); staff read its history here."""

    list_display = ["person", "address", "since", "until"]
    list_select_related = ["person", "village__township__county"]
    search_fields = PERSON_SEARCH
    autocomplete_fields = ["person", "village"]
    date_hierarchy = "since"
    show_full_result_count = False

    @admin.display(description=_("mailing address"))
    def address(self, row: MailingAddress) -> str:
        return row.address


@admin.register(PremiumBill)
class PremiumBillAdmin(admin.ModelAdmin):
    list_display = ["person", "month", "unit", "category", "insured_amount", "amount", "due_date"]
    list_filter = ["category"]
    list_select_related = ["person", "unit"]
    search_fields = PERSON_SEARCH
    autocomplete_fields = ["person", "unit"]
    date_hierarchy = "month"
    show_full_result_count = False


@admin.register(PremiumPayment)
class PremiumPaymentAdmin(admin.ModelAdmin):
    list_display = ["person", "bill", "paid_on", "amount", "method"]
    list_filter = ["method"]
    list_select_related = ["person", "bill"]
    search_fields = PERSON_SEARCH
    autocomplete_fields = ["person", "bill"]
    date_hierarchy = "paid_on"
    show_full_result_count = False
