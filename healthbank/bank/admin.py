"""Staff admin (/staff/) for announcements, health news and the help pages."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.bank.models import Announcement, HelpEntry


class ShownFilter(admin.SimpleListFilter):
    """Whether the portal shows an item today, will show it later, or no longer does."""

    title = _("shown")
    parameter_name = "shown"

    def lookups(self, request, model_admin):
        return [
            ("current", _("Shown now")),
            ("scheduled", _("Not yet shown")),
            ("expired", _("No longer shown")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "current":
            return queryset.filter(
                Q(until__isnull=True) | Q(until__gte=today), published_on__lte=today
            )
        if self.value() == "scheduled":
            return queryset.filter(published_on__gt=today)
        if self.value() == "expired":
            return queryset.filter(until__lt=today)
        return queryset


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title_zh", "title_en", "kind", "published_on", "until", "pinned", "shown"]
    list_filter = ["kind", ShownFilter, "pinned"]
    search_fields = ["title_zh", "title_en", "body_zh", "body_en"]
    ordering = ["-pinned", "-published_on", "-pk"]
    date_hierarchy = "published_on"
    # A link typed without a scheme is taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["kind", "published_on", "until", "pinned", "link"]}),
        (_("Traditional Chinese"), {"fields": ["title_zh", "body_zh"]}),
        (_("English"), {"fields": ["title_en", "body_en"]}),
    ]

    @admin.display(boolean=True, description=_("shown now"))
    def shown(self, obj: Announcement) -> bool:
        return obj.is_current(timezone.localdate())


@admin.register(HelpEntry)
class HelpEntryAdmin(admin.ModelAdmin):
    list_display = ["title_zh", "title_en", "kind", "position"]
    list_display_links = ["title_zh"]
    list_editable = ["position"]
    list_filter = ["kind"]
    search_fields = ["title_zh", "title_en", "body_zh", "body_en"]
    ordering = ["kind", "position", "pk"]
    fieldsets = [
        (None, {"fields": ["kind", "position"]}),
        (_("Traditional Chinese"), {"fields": ["title_zh", "body_zh"]}),
        (_("English"), {"fields": ["title_en", "body_en"]}),
    ]
