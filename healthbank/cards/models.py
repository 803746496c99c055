"""An application for an NHI card (申辦健保卡作業), filed online and decided by NHIA staff."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from healthbank.cards import rules
from healthbank.identity.review import Reviewed, ReviewStatus
from healthbank.people.models import CardIssuance, NhiCard, Person


class CardApplication(Reviewed):
    """A first card or a replacement (lost, damaged, changed data), with the ID photo to print
    on it, how it reaches the person, and the fee paid when filed."""

    class Delivery(models.TextChoices):
        POST = "post", _("By post to my address")
        PICKUP = "pickup", _("Pick up at an NHIA office")

    person = models.ForeignKey(
        Person,
        models.CASCADE,
        related_name="card_applications",
        db_index=False,
        verbose_name=_("person"),
    )
    reason = models.CharField(_("reason"), max_length=12, choices=CardIssuance.Reason.choices)
    photo = models.CharField(_("ID photo"), max_length=40)  # a name in the "eservice" storage
    delivery = models.CharField(_("delivery"), max_length=6, choices=Delivery.choices)
    # Where the card is posted: the postal address when filed, replaced by the person's postal
    # address of the day the card is issued (services.approve); from then the address it was
    # posted to, which a later change of address does not move.
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    postal_address = models.CharField(_("postal address"), max_length=200, blank=True)
    office = models.CharField(
        _("NHIA office"),
        max_length=10,
        blank=True,
        choices=[(key, name) for key, (name, _phone) in rules.OFFICES.items()],
    )
    fee = models.PositiveIntegerField(_("fee (NT$)"), default=0)
    bank_code = models.CharField(_("bank code"), max_length=3, blank=True)
    # The full number only while a refund of the fee may still be needed (until the decision,
    # and after a rejection until the refund is made); then only its last digits stay, as
    # billing's debits keep them. Pages show only account_masked.
    account_number = models.CharField(_("account number"), max_length=16, blank=True)
    account_last4 = models.CharField(_("account ending"), max_length=4, blank=True)
    payment_reference = models.CharField(
        _("payment reference"), max_length=40, null=True, blank=True, unique=True
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    refund_refused = models.CharField(_("refund refused by the bank"), max_length=20, blank=True)
    replaces = models.ForeignKey(
        NhiCard,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("card it replaces"),
    )
    card = models.ForeignKey(
        NhiCard,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("new card"),
    )

    class Meta:
        verbose_name = _("NHI card application")
        verbose_name_plural = _("NHI card applications")
        indexes = [models.Index(fields=["person", "-submitted_at"])]
        constraints = [
            # One open application per person: a second would pay the fee twice.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=["pending", "checked"]),
                name="one_open_card_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} #{self.pk}"

    @property
    def account_masked(self) -> str:
        return f"{self.bank_code}-…{self.account_last4}" if self.account_last4 else ""

    @property
    def refund_pending(self) -> bool:
        """Rejected after the fee was paid, and the bank refused the refund: staff retry it."""
        return bool(
            self.status == ReviewStatus.REJECTED
            and self.fee
            and self.paid_at
            and self.refunded_at is None
            and self.refund_refused
        )

    @property
    def office_name(self) -> str:
        return str(rules.OFFICES[self.office][0]) if self.office in rules.OFFICES else ""

    @property
    def office_phone(self) -> str:
        return rules.OFFICES[self.office][1] if self.office in rules.OFFICES else ""
