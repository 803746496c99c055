"""Staff admin (/staff/) for mail the embedded mail default kept instead of sending.

Read-only: it is a record of what was sent. Bodies hold one-time links, so viewing needs
the usual view permission.
"""

from __future__ import annotations

from django.contrib import admin

from healthbank.core.admin import ReadOnlyAdmin
from healthbank.external.models import MobileSubscription, StoredMail


@admin.register(StoredMail)
class StoredMailAdmin(ReadOnlyAdmin):
    list_display = ["subject", "recipients", "sent_at"]
    search_fields = ["recipients", "subject"]
    date_hierarchy = "sent_at"
    show_full_result_count = False
    fields = readonly_fields = ("sent_at", "sender", "recipients", "subject", "body", "attachments")


@admin.register(MobileSubscription)
class MobileSubscriptionAdmin(admin.ModelAdmin):
    """The embedded telecom default's subscriptions (demo and tests)."""

    list_display = ["number", "plan", "holder", "carrier"]
    list_filter = ["plan", "holder"]
    search_fields = ["number", "national_id"]
