"""Applications NHIA staff decide (issue 24): an NHI card, a township office enrolment
change, a reimbursement of medical costs. One shape for all of them: the abstract model
`Reviewed`, and `decide`, which every app's review services call to take the application
for a decision, once, under a row lock, and audit it.

Where money moves (a reimbursement), the model says `four_eyes` and the decision has two
steps: one member of staff checks the application and proposes the decision, another
approves it. The same person cannot do both; `decide` refuses it, whoever calls it.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.audit.services import Action, Actor, record
from healthbank.external.mail import send_bilingual
from healthbank.identity.contacts import mail_recipients


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Under review")  # 審核中
    CHECKED = "checked", _("Checked, awaiting approval")  # 待核定: the first of four eyes
    APPROVED = "approved", _("Approved")  # 核准
    REJECTED = "rejected", _("Rejected")  # 退件
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 撤回, by the applicant


OPEN = frozenset({ReviewStatus.PENDING, ReviewStatus.CHECKED})


class Reviewed(models.Model):
    """An application a person files and NHIA staff decide. Concrete models add `person`
    (whose application it is) and what the application asks for."""

    # Where money moves: one member of staff checks, another approves (four eyes).
    four_eyes: ClassVar[bool] = False

    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class StaffReviewed(models.Model):
    """A client NHIA lets in and may stop later (a third-party app, an agency): who decided
    last, when, and the reason the other side is shown. Concrete models add `status`."""

    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("reason given by NHIA"), blank=True)

    class Meta:
        abstract = True

    def mark_reviewed(self, staff_user: Any, status: str, note: str) -> None:
        """Save the decision (the caller holds the row lock)."""
        self.status = status
        self.reviewed_by = staff_user
        self.reviewed_at = timezone.now()
        self.review_note = note
        self.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])  # type: ignore[misc]


class ReviewRefused(Exception):
    """A decision that cannot be made; `message` says why, in the reader's language."""

    MESSAGES = {
        "not_open": _("This application was already decided; nothing was changed."),
        "not_checked": _("This application must be checked before it is approved."),
        "already_checked": _("This application was already checked; it awaits approval."),
        "same_staff": _(
            "You checked this application, so another member of staff must approve it "
            "(four-eyes rule)."
        ),
        "no_reason": _("Write why the application is rejected."),
    }

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
        self.message = self.MESSAGES[code]


R = TypeVar("R", bound=Reviewed)

STEPS = {
    "check": (Action.APPLICATION_CHECKED, ReviewStatus.CHECKED),
    "approve": (Action.APPLICATION_APPROVED, ReviewStatus.APPROVED),
    "reject": (Action.APPLICATION_REJECTED, ReviewStatus.REJECTED),
}


def decide(application: R, *, staff_user: User, step: str, reason: str = "") -> R:
    """The application, locked and moved one step (check, approve or reject) by
    `staff_user`, audited under its person; checked first where the model has four eyes.
    Call inside a transaction, then make the decision's effects in the same one.
    ReviewRefused when the step is not allowed now."""
    if step == "check" and not application.four_eyes:
        raise ValueError(f"{type(application).__name__} is decided in one step")
    locked = type(application)._default_manager.select_for_update().get(pk=application.pk)
    if locked.status not in OPEN:
        raise ReviewRefused("not_open")
    if step == "check" and locked.status != ReviewStatus.PENDING:
        raise ReviewRefused("already_checked")
    if step == "approve" and locked.four_eyes:
        if locked.status != ReviewStatus.CHECKED:
            raise ReviewRefused("not_checked")
        if locked.checked_by == staff_user:
            raise ReviewRefused("same_staff")
    reason = reason.strip()
    if step == "reject" and not reason:
        raise ReviewRefused("no_reason")
    action, status = STEPS[step]
    now = timezone.now()
    fields: dict[str, Any] = {"status": status}
    if step == "check":
        fields |= {"checked_by": staff_user, "checked_at": now}
    else:
        fields |= {"decided_by": staff_user, "decided_at": now}
    if step == "reject":
        fields["rejection_reason"] = reason
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(fields))
    record(
        action=action,
        person=locked.person,  # type: ignore[attr-defined]  # every concrete model has one
        actor=Actor.STAFF,
        actor_id=staff_user.pk,
        kind=locked._meta.label_lower,
        application=locked.pk,
    )
    return locked


def mail_decision(application: Reviewed, template: str, **context: Any) -> bool:
    """E-mail the person the decision on their application (approved or rejected), in
    Traditional Chinese with English below; False when undecided or they have no e-mail.
    Call from a task enqueued once the decision committed."""
    decided = application.status in {ReviewStatus.APPROVED, ReviewStatus.REJECTED}
    person = application.person  # type: ignore[attr-defined]  # every concrete model has one
    to = mail_recipients(person)
    if not decided or not to:
        return False
    send_bilingual(
        template, to=to, context={"name": person.name, "application": application, **context}
    )
    return True
