"""The staff review queue of one kind of application (issue 24), at /staff/<app>/<model>/:
open applications first, the oldest at the top; then decided ones, newest first. Its change
page shows what the applicant sent (the subclass's `evidence_template`) beside the decision:
approve, or reject with a reason the applicant reads; where the model has `four_eyes`,
check first (with the `check_form`, such as the amount to pay) and another member of staff
approves.

A subclass calls its services in `check_application`, `approve_application` and
`reject_application`; they call
identity.review.decide inside their transaction and raise ReviewRefused when refused.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from healthbank.audit.services import Action, Actor, client_address, record
from healthbank.core.admin import ReadOnlyAdmin
from healthbank.identity.review import OPEN, Reviewed, ReviewRefused, ReviewStatus
from healthbank.identity.staff_reads import reason_detail


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_(
            "The applicant reads this on the e-services and in the e-mail: say what was wrong "
            "and what to do instead."
        ),
        error_messages={"required": _("Write why the application is rejected.")},
    )


class OpenFirst:
    """A queue's order, for a ModelAdmin: open applications first, the oldest at the top;
    decided ones after, the newest first. `open_statuses` names the open ones."""

    open_statuses: frozenset[str] = OPEN

    def get_queryset(self, request: HttpRequest):
        open_ = When(status__in=self.open_statuses, then=Value(0))
        return (
            super()  # type: ignore[misc]  # the ModelAdmin this is mixed into
            .get_queryset(request)
            .annotate(
                decided=Case(open_, default=Value(1), output_field=IntegerField()),
                waiting_since=Case(When(status__in=self.open_statuses, then=F("submitted_at"))),
            )
        )

    def get_ordering(self, request: HttpRequest):
        return [F("decided").asc(), F("waiting_since").asc(), F("submitted_at").desc()]


class ReviewQueueAdmin(OpenFirst, ReadOnlyAdmin):  # applications change only through services
    check_form: type[forms.Form] | None = None  # what the checker decides, with four eyes
    common_reasons: dict[str, Any] = {}  # key -> reason text, picked then edited
    evidence_template = ""  # what the applicant sent, shown above the decision
    change_form_template = "admin/review/change_form.html"
    list_filter = ["status"]
    show_full_result_count = False
    read_reason = "application"  # staff_reads: the reason offered first

    # --- what a subclass provides ------------------------------------------------------------

    def check_application(
        self, request: HttpRequest, application: Reviewed, data: dict[str, Any]
    ) -> None:
        raise NotImplementedError

    def approve_application(self, request: HttpRequest, application: Reviewed) -> None:
        raise NotImplementedError

    def reject_application(self, request: HttpRequest, application: Reviewed, reason: str) -> None:
        raise NotImplementedError

    def evidence_context(self, request: HttpRequest, application: Reviewed) -> dict[str, Any]:
        return {}

    def heading(self, application: Reviewed) -> str:
        return " · ".join(
            [str(application.person), str(self.opts.verbose_name), application.get_status_display()]  # type: ignore[attr-defined]
        )

    # --- the queue -----------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("person", "checked_by", "decided_by")

    def may_decide(self, request: HttpRequest) -> bool:
        """The model's change permission, which the read-only form itself never uses."""
        codename = get_permission_codename("change", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        own = [
            path(
                "<path:object_id>/check/",
                view(require_POST(self.check_view)),
                name=f"{prefix}_check",
            ),
            path(
                "<path:object_id>/approve/",
                view(require_POST(self.approve_view)),
                name=f"{prefix}_approve",
            ),
            path("<path:object_id>/reject/", view(self.reject_view), name=f"{prefix}_reject"),
        ]
        return own + self.extra_urls() + super().get_urls()

    def extra_urls(self) -> list:
        """More staff URLs of the kind (such as its uploaded files)."""
        return []

    def url(self, view: str, application: Reviewed, *args) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}",
            args=[quote(application.pk), *args],
            current_app=self.admin_site.name,
        )

    def _queue_url(self) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
            current_app=self.admin_site.name,
        )

    # --- the change page -----------------------------------------------------------------------

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        if application is not None:
            step = self._next_step(application)
            same_staff = (
                step == "approve"
                and self.model.four_eyes
                and application.checked_by_id == request.user.pk
            )
            extra_context = {
                **(extra_context or {}),
                **self.evidence_context(request, application),
                "subtitle": self.heading(application),
                "evidence_template": self.evidence_template,
                "step": step,
                "four_eyes": self.model.four_eyes,
                "may_decide": step is not None and self.may_decide(request),
                "same_staff": same_staff,
                "check_form": self.check_form() if self.check_form and step == "check" else None,
                "check_url": self.url("check", application),
                "approve_url": self.url("approve", application),
                "reject_url": self.url("reject", application),
                "common_reasons": list(self.common_reasons.items()),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _next_step(self, application: Reviewed) -> str | None:
        if application.status == ReviewStatus.PENDING:
            return "check" if self.model.four_eyes else "approve"
        if application.status == ReviewStatus.CHECKED:
            return "approve"
        return None

    # --- the decisions -------------------------------------------------------------------------

    def _to_decide(self, request: HttpRequest, object_id: str) -> Reviewed:
        if not self.may_decide(request):
            raise PermissionDenied
        application = self.get_object(request, unquote(object_id))
        if application is None:
            raise Http404
        return application

    def viewed(self, request: HttpRequest, object_id: str) -> Reviewed:
        """The application, for staff who may view this kind (a file of it, say)."""
        application = self.get_object(request, unquote(object_id))
        if application is None:
            raise Http404
        if not self.has_view_permission(request, application):
            raise PermissionDenied
        return application

    def file_read(self, request: HttpRequest, application: Reviewed, **detail: Any) -> None:
        """Audit a member of staff opening a file the person sent, under the person, with the
        reason they gave for opening the application (staff_reads)."""
        record(
            action=Action.APPLICATION_FILE_READ,
            person=application.person,  # type: ignore[attr-defined]  # every kind has one
            actor=Actor.STAFF,
            actor_id=request.user.pk,
            address=client_address(request),
            kind=self.opts.label_lower,
            application=application.pk,
            **reason_detail(request, application.person_id),  # type: ignore[attr-defined]
            **detail,
        )

    def _refused(self, request: HttpRequest, application: Reviewed, refused: ReviewRefused):
        self.message_user(request, str(refused.message), messages.ERROR)
        return HttpResponseRedirect(self.url("change", application))

    def check_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.model.four_eyes:
            raise Http404
        application = self._to_decide(request, object_id)
        form = self.check_form(request.POST) if self.check_form else None
        if form is not None and not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(self.url("change", application))
        try:
            self.check_application(request, application, form.cleaned_data if form else {})
        except ReviewRefused as refused:
            return self._refused(request, application, refused)
        self.log_change(request, application, gettext("Checked."))
        self.message_user(
            request,
            gettext("Checked: another member of staff approves it now."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._queue_url())

    def approve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        application = self._to_decide(request, object_id)
        try:
            self.approve_application(request, application)
        except ReviewRefused as refused:
            return self._refused(request, application, refused)
        self.log_change(request, application, gettext("Approved."))
        self.message_user(
            request,
            gettext("Approved: %(person)s is told by e-mail.") % {"person": application.person},  # type: ignore[attr-defined]
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._queue_url())

    def reject_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """退件: with a reason the applicant reads; a common one can be picked and edited."""
        application = self._to_decide(request, object_id)
        if not application.is_open:
            return self._refused(request, application, ReviewRefused("not_open"))
        if request.method == "POST":
            form = RejectionForm(request.POST)
        else:
            picked = self.common_reasons.get(request.GET.get("reason", ""))
            form = RejectionForm(initial={"reason": picked} if picked else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                self.reject_application(request, application, reason)
            except ReviewRefused as refused:
                return self._refused(request, application, refused)
            self.log_change(
                request, application, gettext("Rejected: %(reason)s") % {"reason": reason}
            )
            self.message_user(
                request,
                gettext("Rejected: the applicant is told the reason by e-mail."),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(self._queue_url())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject the application"),
            "opts": self.opts,
            "original": application,
            "heading": self.heading(application),
            "form": form,
            "common_reasons": [
                (f"{self.url('reject', application)}?reason={key}", text)
                for key, text in self.common_reasons.items()
            ],
            "change_url": self.url("change", application),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/review/reject.html", context)
