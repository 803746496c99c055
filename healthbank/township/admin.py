"""Staff queue of township office applications (/staff/township/townshipapplication/): the
person's cover and dependants beside what they ask; approve (one step: no money moves, the
bills follow the rules), or reject with a reason the person reads."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.identity.review import Reviewed, ReviewRefused
from healthbank.identity.review_admin import ReviewQueueAdmin
from healthbank.people.models import Enrolment
from healthbank.township import rules, selectors, services
from healthbank.township.models import TownshipApplication


class NoLongerFits(ReviewRefused):
    """The person's cover changed since filing: the rules' message, nothing changed."""

    def __init__(self, refused: rules.Refused):
        Exception.__init__(self, refused.code)
        self.code = refused.code
        self.message = refused.message  # type: ignore[assignment]


@admin.register(TownshipApplication)
class TownshipApplicationAdmin(ReviewQueueAdmin):
    evidence_template = "township/admin/evidence.html"
    list_display = ["submitted_at", "person", "kind", "effective_date", "unit", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["=person__national_id", "person__name"]
    exclude = ["ended", "started"]
    common_reasons = {
        "dates": _(
            "The dates do not match the entry and exit records. Check your travel dates and "
            "apply again."
        ),
        "insured_elsewhere": _(
            "Another insured unit insures you in this period, so the township office cannot. "
            "Ask that unit, or call 0800-030598."
        ),
        "household": _(
            "Your household registration does not match this township office. Apply after "
            "your registration is updated."
        ),
    }

    def approve_application(self, request: HttpRequest, application: Reviewed) -> None:
        try:
            services.approve(application=application, staff_user=request.user)  # type: ignore[arg-type]
        except rules.Refused as refused:
            raise NoLongerFits(refused) from None

    def reject_application(self, request: HttpRequest, application: Reviewed, reason: str) -> None:
        services.reject(application=application, staff_user=request.user, reason=reason)  # type: ignore[arg-type]

    def evidence_context(self, request: HttpRequest, application: Reviewed) -> dict[str, Any]:
        person = application.person  # type: ignore[attr-defined]
        today = timezone.localdate()
        return {
            "standing": selectors.standing(person, today),
            "history": Enrolment.objects.filter(person=person)
            .select_related("unit")
            .order_by("-start_date", "-pk")[:5],
            "dependants": selectors.dependants_in_force(person, today),
        }
