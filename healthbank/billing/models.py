"""Instalment plans, notices, bill delivery choices and supplementary premium bills."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from healthbank.core.numbers import grouped
from healthbank.external.bank import REASONS
from healthbank.people.models import Person, PremiumBill


class InstalmentPlan(models.Model):
    """A simple instalment plan (簡易分期) of a person's unpaid premiums."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="instalment_plans", verbose_name=_("person")
    )
    applied_at = models.DateTimeField(_("applied at"))
    arrears = models.PositiveIntegerField(_("arrears (NT$)"))
    instalments = models.PositiveSmallIntegerField(_("instalments"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)

    class Meta:
        verbose_name = _("instalment plan")
        verbose_name_plural = _("instalment plans")
        ordering = ["-applied_at"]

    def __str__(self) -> str:
        return f"{self.pk}: NT${grouped(self.arrears)} / {self.instalments}"


class PlannedBill(models.Model):
    """A bill an instalment plan pays; a bill is in one plan at most."""

    plan = models.ForeignKey(
        InstalmentPlan, models.CASCADE, related_name="planned_bills", verbose_name=_("plan")
    )
    bill = models.OneToOneField(
        PremiumBill, models.CASCADE, related_name="planned", verbose_name=_("premium bill")
    )
    amount = models.PositiveIntegerField(_("amount (NT$)"))  # what was unpaid of it

    class Meta:
        verbose_name = _("bill in a plan")
        verbose_name_plural = _("bills in plans")

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.bill_id}"


class InstalmentPart(models.Model):
    """One instalment of a plan: its number, due date and amount."""

    plan = models.ForeignKey(
        InstalmentPlan, models.CASCADE, related_name="parts", verbose_name=_("plan")
    )
    number = models.PositiveSmallIntegerField(_("instalment"))
    due_date = models.DateField(_("due date"))
    amount = models.PositiveIntegerField(_("amount (NT$)"))
    paid_on = models.DateField(_("payment date"), null=True, blank=True)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="one_part_a_number")]

    def __str__(self) -> str:
        return f"{self.number}: {self.due_date} NT${grouped(self.amount)}"


class Notice(models.Model):
    """A notice NHIA sent the person (通知函): what it is about is in `facts`."""

    class Kind(models.TextChoices):
        ARREARS = "arrears", _("Reminder of unpaid premiums")
        INSTALMENT = "instalment", _("Approval of instalments")
        EBILL = "ebill", _("Electronic bills applied for")
        DELIVERY = "delivery", _("Bill delivery changed")
        SUPPLEMENTARY = "supplementary", _("Supplementary premium bill")
        CARD = "card", _("NHI card issued")
        CARD_LOST = "card_lost", _("NHI card reported lost")
        ENROLMENT = "enrolment", _("Enrolment changed at the township office")
        ADDRESS = "address", _("Mailing address changed")
        DEBIT = "debit", _("One-time direct debit of premiums")
        REIMBURSEMENT = "reimbursement", _("Reimbursement of medical costs decided")

    class Channel(models.TextChoices):
        POST = "post", _("By post")
        EMAIL = "email", _("By e-mail")

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="notices", db_index=False, verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    sent_on = models.DateField(_("sent on"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=100)  # what it concerns: months, plan
    facts = models.JSONField(_("facts"), default=dict)
    plan = models.ForeignKey(
        InstalmentPlan,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("instalment plan"),
    )

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["person", "-sent_on"])]

    def __str__(self) -> str:
        return f"{self.sent_on} {self.kind} {self.subject}"


class DeliveryMethod(models.TextChoices):
    POST = "post", _("Paper bill by post")
    EMAIL = "email", _("Bill by e-mail")
    EBILL = "ebill", _("Electronic bill (download here, reminder by e-mail)")


class DeliveryCycle(models.TextChoices):
    MONTHLY = "monthly", _("Every month")
    BIMONTHLY = "bimonthly", _("Every two months (two months on one bill)")


class DeliveryChoice(models.TextChoices):
    PERSON = "person", _("You, online")
    NHIA = "nhia", _("NHIA")


class BillDelivery(models.Model):
    """How and how often the person's bills come, from `chosen_at` on; the latest row is the
    one in force, the earlier ones are its history."""

    person = models.ForeignKey(
        Person,
        models.CASCADE,
        related_name="bill_deliveries",
        db_index=False,
        verbose_name=_("person"),
    )
    method = models.CharField(_("delivery"), max_length=10, choices=DeliveryMethod.choices)
    cycle = models.CharField(_("cycle"), max_length=10, choices=DeliveryCycle.choices)
    email = models.EmailField(_("e-mail"), blank=True)
    chosen_at = models.DateTimeField(_("changed at"))
    chosen_by = models.CharField(_("changed by"), max_length=10, choices=DeliveryChoice.choices)

    class Meta:
        verbose_name = _("bill delivery")
        verbose_name_plural = _("bill deliveries")
        indexes = [models.Index(fields=["person", "-chosen_at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.cycle}"


class SupplementaryBill(models.Model):
    """A supplementary premium bill (補充保險費繳款單) on dividends or interest that no one
    withheld, which NHIA bills the person for (seed 000: 股利及利息所得補充保險費繳款單)."""

    class Income(models.TextChoices):
        DIVIDEND = "dividend", _("Dividends")
        INTEREST = "interest", _("Interest")

    person = models.ForeignKey(
        Person,
        models.CASCADE,
        related_name="supplementary_bills",
        db_index=False,
        verbose_name=_("person"),
    )
    income_year = models.PositiveSmallIntegerField(_("income year"))
    income = models.CharField(_("income"), max_length=10, choices=Income.choices)
    payer = models.CharField(_("paid by"), max_length=60)
    paid_out = models.PositiveIntegerField(_("amount paid out (NT$)"))
    amount = models.PositiveIntegerField(_("supplementary premium (NT$)"))
    issued_on = models.DateField(_("issued on"))
    due_date = models.DateField(_("due date"))
    paid_on = models.DateField(_("payment date"), null=True, blank=True)

    class Meta:
        verbose_name = _("supplementary premium bill")
        verbose_name_plural = _("supplementary premium bills")
        indexes = [models.Index(fields=["person", "-income_year"])]

    def __str__(self) -> str:
        return f"{self.income_year} {self.income} NT${grouped(self.amount)}"


class DirectDebit(models.Model):
    """A one-time direct debit of premiums (保險費單次約定轉帳): the bills the person chose,
    asked from their bank once, in the background; the bank's answer decides them."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Asked from the bank")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Refused by the bank")
        # The bills were paid another way before the bank was asked: nothing was taken.
        CANCELLED = "cancelled", _("Not needed: paid another way")

    person = models.ForeignKey(
        Person,
        models.CASCADE,
        related_name="direct_debits",
        db_index=False,
        verbose_name=_("person"),
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    amount = models.PositiveIntegerField(_("amount (NT$)"))
    bank_code = models.CharField(_("bank code"), max_length=3)
    # The whole number only until the bank has answered (the bank needs it); the last four
    # digits are what anyone is shown, before and after.
    account_number = models.CharField(_("account number"), max_length=16, blank=True)
    account_last4 = models.CharField(_("account ending"), max_length=4)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reason_code = models.CharField(_("bank's reason"), max_length=20, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time direct debit")
        verbose_name_plural = _("one-time direct debits")
        indexes = [models.Index(fields=["person", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.reference} NT${grouped(self.amount)} {self.status}"

    @property
    def masked_account(self) -> str:
        return f"…{self.account_last4}"

    @property
    def reason(self) -> str:
        return str(REASONS[self.reason_code]) if self.reason_code in REASONS else ""


class DebitedBill(models.Model):
    """A bill a direct debit pays. While the debit waits for the bank the bill is `pending`,
    and a bill is pending in one debit at most (the database refuses a second)."""

    debit = models.ForeignKey(
        DirectDebit, models.CASCADE, related_name="bills", verbose_name=_("direct debit")
    )
    bill = models.ForeignKey(
        PremiumBill, models.CASCADE, related_name="debits", verbose_name=_("premium bill")
    )
    amount = models.PositiveIntegerField(_("amount (NT$)"))  # what was unpaid of it
    pending = models.BooleanField(_("waiting for the bank"), default=True)

    class Meta:
        verbose_name = _("bill in a direct debit")
        verbose_name_plural = _("bills in direct debits")
        constraints = [
            models.UniqueConstraint(
                fields=["bill"], condition=models.Q(pending=True), name="one_pending_debit_a_bill"
            )
        ]

    def __str__(self) -> str:
        return f"{self.debit_id}: {self.bill_id}"
