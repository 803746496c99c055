"""Mail kept by the embedded mail default, for the developer mailbox page."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredMail(models.Model):
    """A message the demo 'sent': kept here instead of going to an SMTP server."""

    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    sender = models.CharField(_("from"), max_length=254)
    recipients = models.TextField(_("to"))  # comma-separated
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    attachments = models.JSONField(_("attachments"), default=list)  # [{name, type, content}]

    class Meta:
        verbose_name = _("stored mail")
        verbose_name_plural = _("stored mail")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class MobileSubscription(models.Model):
    """A carrier's subscription record, as the embedded telecom default keeps them.

    Phone-number verification (seed 004, 行動電話認證) accepts only a monthly-plan number
    subscribed by the person themself; prepaid cards and company numbers are refused.
    """

    class Plan(models.TextChoices):
        MONTHLY = "monthly", _("Monthly plan")  # 月租型
        PREPAID = "prepaid", _("Prepaid card")  # 預付卡

    class Holder(models.TextChoices):
        PERSON = "person", _("Individual")
        COMPANY = "company", _("Company")

    number = models.CharField(_("mobile number"), max_length=10, unique=True)  # 09XXXXXXXX
    # The subscriber's national ID as the carrier knows it (the carrier's own record).
    national_id = models.CharField(_("subscriber's national ID"), max_length=10, blank=True)
    plan = models.CharField(_("plan"), max_length=8, choices=Plan.choices)
    holder = models.CharField(_("holder"), max_length=8, choices=Holder.choices)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("mobile subscription")
        verbose_name_plural = _("mobile subscriptions")

    def __str__(self) -> str:
        return f"{self.number[:4]}…{self.number[-3:]} {self.plan}"


class BankAccount(models.Model):
    """A bank account as the embedded bank default keeps them: a table that answers debits
    and credits as a bank would (its holder, its balance, whether it is open)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FROZEN = "frozen", _("Frozen")  # 警示帳戶 or by court order: no debit, no credit
        CLOSED = "closed", _("Closed")

    bank_code = models.CharField(_("bank code"), max_length=3)  # 004, 700, 822 ...
    number = models.CharField(_("account number"), max_length=16)
    # The holder as the bank knows them (the bank's own record).
    holder_national_id = models.CharField(_("holder's national ID"), max_length=10)
    holder_name = models.CharField(_("holder's name"), max_length=50)
    balance = models.PositiveIntegerField(_("balance (NT$)"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [
            models.UniqueConstraint(fields=["bank_code", "number"], name="one_account_number")
        ]

    def __str__(self) -> str:
        return f"{self.bank_code}-…{self.number[-4:]}"


class BankEntry(models.Model):
    """A debit or credit the embedded bank made, once per reference (its ledger)."""

    class Kind(models.TextChoices):
        DEBIT = "debit", _("Debit")
        CREDIT = "credit", _("Credit")

    account = models.ForeignKey(
        BankAccount, models.PROTECT, related_name="entries", verbose_name=_("bank account")
    )
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    amount = models.PositiveIntegerField(_("amount (NT$)"))
    # The payer's or payee's reference (a bill, an application): the same reference twice
    # is the same payment, answered again and never made twice.
    reference = models.CharField(_("reference"), max_length=40)
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank entry")
        verbose_name_plural = _("bank entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "reference"], name="one_entry_a_reference")
        ]

    def __str__(self) -> str:
        return f"{self.kind} NT${self.amount} {self.reference}"
