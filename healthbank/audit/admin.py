"""Staff admin (/staff/) for the audit trail: looked at, never written.

Audit events are evidence, so no one adds, changes or deletes them here, whatever their
permissions (the model refuses too); viewing needs the usual view permission. The table
grows with every sign-in: the list joins the person, and skips the unfiltered total count.
"""

from __future__ import annotations

from django.contrib import admin

from healthbank.audit.models import AuditEvent
from healthbank.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "person", "action", "actor", "actor_id", "method", "address", "success"]
    list_filter = ["action", "actor", "success"]
    list_select_related = ["person"]
    # People are named by internal id in the rows; staff find them by national ID (any case).
    search_fields = ["=person__national_id"]
    show_full_result_count = False
    # Newest first through the primary key: rows are appended in time order.
    ordering = ["-pk"]
    fields = readonly_fields = (
        "at",
        "person",
        "action",
        "actor",
        "actor_id",
        "method",
        "address",
        "success",
        "detail",
    )
