"""Township office applications (申辦公所加保、轉出、停保、復保): what a category 6 person asks
for, and once approved, the enrolment rows the decision ended and started."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from healthbank.identity.review import Reviewed
from healthbank.people.models import Enrolment, InsuredUnit, Person
from healthbank.township.rules import Kind, TransferReason


class TownshipApplication(Reviewed):
    """One application to the township office, decided by NHIA staff."""

    person = models.ForeignKey(
        Person,
        models.CASCADE,
        related_name="township_applications",
        db_index=False,
        verbose_name=_("person"),
    )
    kind = models.CharField(_("application"), max_length=16, choices=Kind.choices)
    unit = models.ForeignKey(
        InsuredUnit, models.PROTECT, related_name="+", verbose_name=_("township office")
    )
    # 加保: cover from; 轉出: the day the cover moves; 停保: departure; 復保: return.
    effective_date = models.DateField(_("effective date"))
    expected_return = models.DateField(_("expected return date"), null=True, blank=True)
    transfer_reason = models.CharField(
        _("reason for the transfer"),
        max_length=16,
        choices=TransferReason.choices,
        blank=True,
        default="",
    )
    new_unit = models.ForeignKey(
        InsuredUnit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new township office"),
    )
    notes = models.TextField(_("notes"), blank=True, max_length=500)
    # What the approval changed.
    ended = models.ManyToManyField(
        Enrolment, blank=True, related_name="+", verbose_name=_("periods ended or suspended")
    )
    started = models.ManyToManyField(
        Enrolment, blank=True, related_name="+", verbose_name=_("periods started or restored")
    )
    suspension_cancelled = models.BooleanField(_("suspension cancelled (註銷停保)"), default=False)
    bills_removed = models.JSONField(_("months no longer billed"), default=list, blank=True)
    bills_added = models.JSONField(_("months billed"), default=list, blank=True)

    class Meta:
        verbose_name = _("township office application")
        verbose_name_plural = _("township office applications")
        indexes = [
            models.Index(fields=["person", "-submitted_at"]),
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_date}"
