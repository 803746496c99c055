"""What the personal e-services show beyond the master data (people): premium subsidies,
supplementary premium exemptions, tobacco-tax and lottery subsidies, catastrophic illness
certificates, and reimbursement and prior-review cases with their steps.

Every table carries the person (DESIGN.md: person-owned tables are keyed by person).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.db import models
from django.utils.translation import gettext_lazy as _

from healthbank.codes.models import Diagnosis
from healthbank.external.bank import BANKS
from healthbank.identity.review import Reviewed
from healthbank.people.models import Person
from healthbank.records.models import Provider


class PremiumSubsidy(models.Model):
    """A premium reduction or subsidy (保險費減免補助): who pays which share, for which months."""

    class Kind(models.TextChoices):
        LOW_INCOME = "low_income", _("Low-income household (低收入戶)")
        MIDDLE_LOW_INCOME = "middle_low", _("Middle-to-low-income household (中低收入戶)")
        INDIGENOUS = "indigenous", _("Indigenous person without work (原住民)")
        UNEMPLOYED = (
            "unemployed",
            _("Involuntarily unemployed worker or dependant (失業勞工及眷屬)"),
        )
        DISABILITY = "disability", _("Person with a disability (身心障礙)")
        ELDERLY = "elderly", _("Middle-to-low-income elderly person, 70 or older (中低收入老人)")

    class Payer(models.TextChoices):
        CENTRAL = "central", _("Central government")
        LOCAL = "local", _("City or county government")
        LABOUR = "labour", _("Employment insurance fund")
        INDIGENOUS = "indigenous", _("Council of Indigenous Peoples")

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=40, blank=True)  # e.g. disability level
    share = models.DecimalField(_("share subsidised"), max_digits=3, decimal_places=2)
    payer = models.CharField(_("subsidy paid by"), max_length=12, choices=Payer.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    current: bool  # set by selectors.premium_subsidies

    class Meta:
        verbose_name = _("premium subsidy")
        verbose_name_plural = _("premium subsidies")
        indexes = [models.Index(fields=["person", "-start_date"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.share}"

    @property
    def percent(self) -> int:
        return int(self.share * 100)

    def is_current_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class SupplementaryExemption(models.Model):
    """A standing exemption from withholding the supplementary premium (免扣取補充保險費)."""

    class Kind(models.TextChoices):
        CATEGORY_5 = "category5", _("Category 5 insured (low-income household)")
        MIDDLE_LOW_INCOME = "middle_low", _("Middle-to-low-income household")
        ELDERLY = "elderly", _("Middle-to-low-income elderly person")
        DISABILITY = "disability", _("Receives the disability living allowance")
        STUDENT = "student", _("Student without a full-time job")
        CHILD = "child", _("Child or young person")

    class Scope(models.TextChoices):
        ALL = "all", _("None of the six kinds of income is withheld")
        PART_TIME = "part_time", _("Part-time pay below the minimum wage is not withheld")

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("supplementary premium exemption")
        verbose_name_plural = _("supplementary premium exemptions")
        indexes = [models.Index(fields=["person", "-start_date"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}"

    def is_current_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class FundSubsidy(models.Model):
    """Help paid from the tobacco health and welfare tax (菸品健康福利捐) or the public lottery
    fund (公益彩券回饋金) to an economically disadvantaged person."""

    class Fund(models.TextChoices):
        TOBACCO = "tobacco", _("Tobacco health and welfare tax")
        LOTTERY = "lottery", _("Public welfare lottery fund")

    class Purpose(models.TextChoices):
        PREMIUM = "premium", _("Self-paid premium")
        ARREARS = "arrears", _("Premiums in arrears")
        COPAYMENT = "copayment", _("Inpatient co-payment")

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    fund = models.CharField(_("fund"), max_length=8, choices=Fund.choices)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    share = models.DecimalField(
        _("share subsidised"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    amount = models.PositiveIntegerField(_("amount (NT$)"))

    class Meta:
        verbose_name = _("fund subsidy")
        verbose_name_plural = _("fund subsidies")
        indexes = [models.Index(fields=["person", "-start_date"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.fund} {self.amount}"

    @property
    def percent(self) -> int | None:
        return None if self.share is None else int(self.share * 100)


class CatastrophicIllness(models.Model):
    """A catastrophic illness certificate (重大傷病證明): co-payments waived for the illness."""

    class Category(models.IntegerChoices):
        # 全民健康保險保險對象免自行負擔費用辦法, 附表 重大傷病範圍 (the categories used).
        CANCER = 1, _("Cancer needing active or long-term treatment")
        DIALYSIS = 4, _("Chronic renal failure (uraemia) needing regular dialysis")
        MENTAL = 6, _("Chronic mental illness")

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    number = models.CharField(_("certificate number"), max_length=12, unique=True)
    diagnosis = models.ForeignKey(
        Diagnosis, models.PROTECT, related_name="+", verbose_name=_("diagnosis")
    )
    category = models.PositiveSmallIntegerField(_("category"), choices=Category.choices)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)  # None: no end

    valid: bool  # set by selectors.catastrophic_illnesses

    class Meta:
        verbose_name = _("catastrophic illness certificate")
        verbose_name_plural = _("catastrophic illness certificates")
        indexes = [models.Index(fields=["person", "-valid_from"])]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


# A case's decision and a step's note, in full: as long as the reason for rejection staff may
# write (identity.review_admin.RejectionForm).
NOTE_CHARS = 500


class Case(models.Model):
    """A reimbursement (自墊醫療費用核退) or prior-review (事前審查) case and where it stands.

    Read here; applications made online and prior reviews that providers report (issue 24)
    add cases with their `source` and move them through `steps`.
    """

    class Kind(models.TextChoices):
        REIMBURSEMENT = "reimbursement", _("Reimbursement of medical costs paid yourself")
        PRIOR_REVIEW = "prior_review", _("Prior review")

    class Source(models.TextChoices):
        COUNTER = "counter", _("NHIA counter")
        MAIL = "mail", _("By post")
        ONLINE = "online", _("Online")
        PROVIDER = "provider", _("Reported by the provider")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        REVIEWING = "reviewing", _("Under review")
        MORE_NEEDED = "more_needed", _("Documents requested")
        APPROVED = "approved", _("Approved")
        PARTLY = "partly", _("Partly approved")
        REJECTED = "rejected", _("Not approved")
        PAID = "paid", _("Paid out")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # A case is closed once it reached one of these; the others are still in progress.
    CLOSED = frozenset({Status.PAID, Status.REJECTED, Status.WITHDRAWN})

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    number = models.CharField(_("case number"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    provider = models.ForeignKey(
        Provider,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("healthcare provider"),
    )
    subject = models.CharField(_("subject"), max_length=120)
    applied_on = models.DateField(_("application date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    amount_claimed = models.PositiveIntegerField(_("amount claimed (NT$)"), null=True, blank=True)
    amount_approved = models.PositiveIntegerField(_("amount approved (NT$)"), null=True, blank=True)
    # The decision in words (a rejection's whole reason, as staff may write up to
    # NOTE_CHARS); a provider's prior-review note is shorter (ingest's own limit).
    decision_note = models.CharField(_("decision"), max_length=NOTE_CHARS, blank=True)
    # A provider's own case number (事前審查 reported through ingest): with the provider, the
    # key its reports update; empty for cases NHIA numbers.
    source_id = models.CharField(_("provider's case number"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["person", "-applied_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "source_id"],
                condition=~models.Q(source_id=""),
                name="case_provider_source_id",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED

    # Cases numbered here (not at a counter): the ROC year, a letter, the row's key.
    ONLINE_LETTER = "E"  # filed online by the person
    PROVIDER_LETTER = "P"  # reported by a provider (事前審查)

    def own_number(self, letter: str) -> str:
        """The number of a saved case: unique without a counter, as the key is."""
        return f"{self.applied_on.year - 1911:03d}{letter}{self.pk:08d}"

    @property
    def last_step(self) -> CaseStep | None:
        """The latest step (from the prefetched steps when the selector fetched them)."""
        steps = list(self.steps.all())
        return steps[-1] if steps else None


class CaseStep(models.Model):
    """One step a case went through (收件, 審查中, 補件, 核定, 撥款), with its date."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="steps", verbose_name=_("case"))
    person = models.ForeignKey(
        Person, models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    status = models.CharField(_("status"), max_length=12, choices=Case.Status.choices)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=NOTE_CHARS, blank=True)

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["on", "pk"]
        indexes = [models.Index(fields=["person", "case"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status} {self.on}"


class ReimbursementClaim(Reviewed):
    """自墊醫療費用核退: care the person paid for themselves (abroad, at a provider outside NHI,
    or in an emergency), claimed online with its receipts; its Case shows the steps."""

    four_eyes = True  # NHIA pays out: one checks the amount, another approves

    class CareKind(models.TextChoices):
        ABROAD = "abroad", _("Emergency care abroad")
        NON_CONTRACTED = "non_contracted", _("Care at a provider not contracted with NHI")
        EMERGENCY = "emergency", _("Emergency without the NHI card or its data")

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    case = models.OneToOneField(Case, models.CASCADE, related_name="claim", verbose_name=_("case"))
    care_kind = models.CharField(_("where the care was"), max_length=14, choices=CareKind.choices)
    place = models.CharField(_("country or provider"), max_length=100)
    care_from = models.DateField(_("care from"))
    care_until = models.DateField(_("care until"))
    amount_claimed = models.PositiveIntegerField(_("amount claimed (NT$)"))
    amount_approved = models.PositiveIntegerField(_("amount approved (NT$)"), null=True, blank=True)
    bank_code = models.CharField(_("bank"), max_length=3, choices=sorted(BANKS.items()))
    # The whole number only until the claim is paid (the bank needs it to pay again after a
    # refusal); the last four digits are what anyone is shown, before and after.
    bank_account = models.CharField(_("account number"), max_length=16, blank=True)
    bank_account_last4 = models.CharField(_("account ending"), max_length=4)
    # The bank's reference of this claim's payment, drawn when the claim is filed: one per
    # claim, so never paid twice, and unlike the row's key never reused after a restore.
    payment_reference = models.CharField(_("payment reference"), max_length=40, unique=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # The bank's code of its last refusal to pay (external.bank.REASONS); empty once paid.
    payment_refusal = models.CharField(_("bank's refusal"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("reimbursement claim")
        verbose_name_plural = _("reimbursement claims")
        indexes = [
            models.Index(fields=["person"]),
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.amount_claimed}"

    @property
    def masked_account(self) -> str:
        return f"…{self.bank_account_last4}"

    @property
    def awaits_payment(self) -> bool:
        return self.status == "approved" and self.paid_at is None


class ClaimDocument(models.Model):
    """A receipt, medical certificate or other paper uploaded with a claim (a re-encoded JPEG
    or a checked PDF in the private "eservice" storage)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        CERTIFICATE = "certificate", _("Medical certificate")
        OTHER = "other", _("Other document")

    claim = models.ForeignKey(
        ReimbursementClaim, models.CASCADE, related_name="documents", verbose_name=_("claim")
    )
    person = models.ForeignKey(
        Person, models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    stored_name = models.CharField(_("stored name"), max_length=40, unique=True)
    content_type = models.CharField(_("content type"), max_length=30)
    original_name = models.CharField(_("file name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("claim document")
        verbose_name_plural = _("claim documents")
        ordering = ["pk"]
        indexes = [models.Index(fields=["person", "claim"])]

    def __str__(self) -> str:
        return self.stored_name

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"

    @property
    def served_name(self) -> str:
        """The file name the browser is given: the uploaded name's stem in plain ASCII
        letters, digits, dots, dashes and underscores (else the document's kind and key),
        with the extension of what is kept (.pdf, or .jpg for re-encoded photos)."""
        stem = unicodedata.normalize("NFKD", self.original_name.rsplit(".", 1)[0])
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem.encode("ascii", "ignore").decode())
        stem = stem.strip("._-")[:60] or f"{self.kind}-{self.pk}"
        return f"{stem}{'.pdf' if self.is_pdf else '.jpg'}"
