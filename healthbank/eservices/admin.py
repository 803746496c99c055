"""Staff queue of reimbursement claims (自墊醫療費用核退) at /staff/eservices/reimbursementclaim/:
the documents side by side with the claim, then four eyes because money moves: one member of
staff checks and sets the amount to pay, another approves it and it is paid into the
person's account; or a rejection with a reason. A payment the bank refused is paid again
from the same page. The documents are private files served here never cached, each read
audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from healthbank.core.http import signed_in_user
from healthbank.eservices import rules, services
from healthbank.eservices.documents import document_response
from healthbank.eservices.forms import AmountForm
from healthbank.eservices.models import ReimbursementClaim
from healthbank.external.bank import REASONS
from healthbank.identity.review import Reviewed
from healthbank.identity.review_admin import ReviewQueueAdmin


def _late() -> str:
    return gettext(
        "The claim was made more than %(months)d months after the care "
        "(全民健康保險自墊醫療費用核退辦法)."
    ) % {"months": rules.REIMBURSEMENT_APPLY_MONTHS}


COMMON_REASONS = {
    "late": lazy(_late, str)(),
    "no_receipt": _("The receipts do not show the amount paid. Send the original receipts."),
    "not_emergency": _(
        "The care was not an emergency, so it is not reimbursed outside the NHI providers."
    ),
    "not_insured": _("You were not insured by NHI on the days of care."),
}


@admin.register(ReimbursementClaim)
class ReimbursementClaimAdmin(ReviewQueueAdmin):
    check_form = AmountForm
    common_reasons = COMMON_REASONS
    evidence_template = "admin/eservices/claim_evidence.html"
    list_display = [
        "submitted_at",
        "person",
        "care_kind",
        "amount_claimed",
        "amount_approved",
        "status",
        "paid_at",
    ]
    list_display_links = ["submitted_at", "person"]
    search_fields = ["=person__national_id", "person__name", "=case__number"]
    fields = [
        "status",
        "submitted_at",
        "care_kind",
        "place",
        "care_from",
        "care_until",
        "amount_claimed",
        "amount_approved",
        "bank_code",
        "bank_account_last4",
        "payment_reference",
        "paid_at",
        "checked_by",
        "checked_at",
        "decided_by",
        "decided_at",
        "rejection_reason",
    ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("case")

    def heading(self, application: Reviewed) -> str:
        claim = application
        assert isinstance(claim, ReimbursementClaim)  # noqa: S101
        return f"{claim.case.number} · {super().heading(claim)}"

    # --- what the queue asks of its kind ----------------------------------------------------

    def check_application(
        self, request: HttpRequest, application: Reviewed, data: dict[str, Any]
    ) -> None:
        assert isinstance(application, ReimbursementClaim)  # noqa: S101
        services.check_claim(
            claim=application, staff_user=signed_in_user(request), amount=data["amount"]
        )

    def approve_application(self, request: HttpRequest, application: Reviewed) -> None:
        assert isinstance(application, ReimbursementClaim)  # noqa: S101
        claim = services.approve_claim(claim=application, staff_user=signed_in_user(request))
        if claim.paid_at is None:
            self.message_user(request, self._refusal_message(claim), messages.WARNING)

    def reject_application(self, request: HttpRequest, application: Reviewed, reason: str) -> None:
        assert isinstance(application, ReimbursementClaim)  # noqa: S101
        services.reject_claim(claim=application, staff_user=signed_in_user(request), reason=reason)

    def evidence_context(self, request: HttpRequest, application: Reviewed) -> dict[str, Any]:
        assert isinstance(application, ReimbursementClaim)  # noqa: S101
        documents = [
            (document, self.url("document", application, document.pk))
            for document in application.documents.all()
        ]
        return {
            "claim": application,
            "documents": documents,
            "bank_refusal": REASONS.get(application.payment_refusal),
            "pay_url": self.url("pay", application),
            "may_pay": application.awaits_payment and self.may_decide(request),
        }

    def _refusal_message(self, claim: ReimbursementClaim) -> str:
        return gettext("Approved, but the bank refused the payment: %(reason)s") % {
            "reason": REASONS.get(claim.payment_refusal, claim.payment_refusal)
        }

    # --- documents and the payment again --------------------------------------------------------

    def extra_urls(self) -> list:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/document/<int:document>/",
                view(self.document_view),
                name=f"{prefix}_document",
            ),
            path("<path:object_id>/pay/", view(require_POST(self.pay_view)), name=f"{prefix}_pay"),
        ]

    def document_view(self, request: HttpRequest, object_id: str, document: int) -> FileResponse:
        """A claim's document, to staff who may view claims; never cached, each read audited."""
        claim = self.viewed(request, object_id)
        assert isinstance(claim, ReimbursementClaim)  # noqa: S101
        found = claim.documents.filter(pk=document).first()
        if found is None:
            raise Http404
        response = document_response(found)
        self.file_read(request, claim, document=found.pk)
        return response

    def pay_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """撥款 again after the bank refused (the person's bank may have been unavailable)."""
        claim = self._to_decide(request, object_id)
        assert isinstance(claim, ReimbursementClaim)  # noqa: S101
        try:
            claim = services.pay_claim(claim=claim, staff_user=signed_in_user(request))
        except services.ClaimRefused as refused:
            return self._refused(request, claim, refused)
        if claim.paid_at is None:
            self.message_user(request, self._refusal_message(claim), messages.ERROR)
        else:
            self.message_user(request, gettext("Paid into the person's account."), messages.SUCCESS)
        return HttpResponseRedirect(self.url("change", claim))
