"""Staff queue (/staff/cards/cardapplication/) of NHI card applications: the ID photo side
by side with the person's registered data and cards; approve (the new card is issued at
once) or reject with a reason (a fee paid is refunded). One step: staff move no money here
but a refund of the fee the person paid, which follows from the rejection; a refund the bank
refused is made again from the application's page ("Refund again").

The photo is a private file served to staff who may view applications, never cached, and
each read is audited."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from healthbank.cards import services
from healthbank.cards.models import CardApplication
from healthbank.core.http import signed_in_user
from healthbank.external.bank import REASONS
from healthbank.files import images
from healthbank.files.responses import private_file
from healthbank.identity.review import Reviewed
from healthbank.identity.review_admin import ReviewQueueAdmin
from healthbank.people.addresses import postal_address
from healthbank.people.models import NhiCard, Person

COMMON_REASONS = {
    "blurred": _("The photo is blurred and the face cannot be recognised."),
    "not_portrait": _(
        "The photo is not a recent front-facing photo of your head and shoulders, as on an ID card."
    ),
    "not_person": _("The photo does not show the card holder."),
}

FIELDS = (
    "status",
    "reason",
    "submitted_at",
    "delivery",
    "postal_code",
    "postal_address",
    "office",
    "fee",
    "paid_from",
    "payment_reference",
    "paid_at",
    "refunded_at",
    "refund_refused",
    "card",
    "decided_by",
    "decided_at",
    "rejection_reason",
)


@admin.register(CardApplication)
class CardApplicationAdmin(ReviewQueueAdmin):
    list_display = ["submitted_at", "holder", "reason", "delivery", "fee", "status"]
    list_display_links = ["submitted_at", "holder"]
    list_filter = ["status", "reason"]
    search_fields = ["=person__national_id", "person__name"]
    fields = FIELDS
    readonly_fields = FIELDS
    evidence_template = "admin/cards/evidence.html"
    common_reasons = COMMON_REASONS

    @admin.display(description=_("card holder"), ordering="person__name")
    def holder(self, application: CardApplication) -> str:
        return str(application.person)

    @admin.display(description=_("paid from"))
    def paid_from(self, application: CardApplication) -> str:
        """The bank and the account's last digits: staff never see the full number."""
        return application.account_masked or "-"

    def approve_application(self, request: HttpRequest, application: Reviewed) -> None:
        services.approve(
            application=cast(CardApplication, application), staff_user=signed_in_user(request)
        )

    def reject_application(self, request: HttpRequest, application: Reviewed, reason: str) -> None:
        services.reject(
            application=cast(CardApplication, application),
            staff_user=signed_in_user(request),
            reason=reason,
        )

    def evidence_context(self, request: HttpRequest, application: Reviewed) -> dict[str, Any]:
        application = cast(CardApplication, application)
        person = Person.objects.select_related("household").get(pk=application.person_id)
        return {
            "person": person,
            "age": person.age_on(timezone.localdate()),
            "person_cards": NhiCard.objects.filter(person=person).order_by("-issued_on"),
            "photo_url": self.url("photo", application),
            "national_id_label": capfirst(Person._meta.get_field("national_id").verbose_name),
            # Not decided yet: approving now posts the card to the person's address of today.
            "postal_now": postal_address(person)
            if application.is_open and application.delivery == CardApplication.Delivery.POST
            else None,
            "refund_refusal": REASONS.get(application.refund_refused, application.refund_refused),
            "refund_url": self.url("refund", application),
            "may_refund": application.refund_pending and self.may_decide(request),
        }

    def extra_urls(self) -> list:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/photo/", view(self.photo_view), name=f"{prefix}_photo"),
            path(
                "<path:object_id>/refund/",
                view(require_POST(self.refund_view)),
                name=f"{prefix}_refund",
            ),
        ]

    def refund_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """退費 again after the bank refused the refund of a rejected application's fee."""
        application = cast(CardApplication, self._to_decide(request, object_id))
        try:
            application = services.refund_again(
                application=application, staff_user=signed_in_user(request)
            )
        except services.CardsRefused as refused:
            self.message_user(request, str(refused.message), messages.ERROR)
            return HttpResponseRedirect(self.url("change", application))
        if application.refunded_at is None:
            reason = REASONS.get(application.refund_refused, application.refund_refused)
            self.message_user(
                request,
                gettext("The bank refused the refund again: %(reason)s") % {"reason": reason},
                messages.ERROR,
            )
        else:
            self.log_change(request, application, gettext("Fee refunded."))
            self.message_user(
                request,
                gettext("The fee was paid back into the person's account."),
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self.url("change", application))

    def photo_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        """The application's ID photo, to staff who may view applications."""
        application = self.viewed(request, object_id)
        assert isinstance(application, CardApplication)  # noqa: S101
        photo = images.open_photo(application.photo, storage_name=services.STORAGE)
        self.file_read(request, application, file="photo")
        return private_file(photo, content_type="image/jpeg", filename="photo.jpg")
