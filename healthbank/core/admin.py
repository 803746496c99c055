"""What the staff pages of several apps share."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


class ReadOnly:
    """For a ModelAdmin or an inline: rows made elsewhere (by their owners through the
    services, by providers' uploads, by the system as evidence) that staff look at and never
    add, change or delete here."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass
