"""NHIA master data (承保資料): who is insured, where they live, through whom, with which card."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from healthbank.core.numbers import grouped
from healthbank.people.identifiers import is_resident_certificate, validate_personal_id


class County(models.Model):
    """County or special municipality (縣市), coded as the Ministry of the Interior does."""

    code = models.CharField(_("code"), max_length=5, primary_key=True)  # 63000, 10002 ...
    letter = models.CharField(_("area letter"), max_length=1)  # A for 臺北市
    name_zh = models.CharField(_("Chinese name"), max_length=10)
    name_en = models.CharField(_("English name"), max_length=40)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name_zh


class Township(models.Model):
    """Township, city or district (鄉鎮市區)."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    county = models.ForeignKey(
        County, models.PROTECT, related_name="townships", verbose_name=_("county")
    )
    name_zh = models.CharField(_("Chinese name"), max_length=10)
    name_en = models.CharField(_("English name"), max_length=40)
    postal_code = models.CharField(_("postal code"), max_length=3, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("township")
        verbose_name_plural = _("townships")

    def __str__(self) -> str:
        return f"{self.county.name_zh}{self.name_zh}"


class Village(models.Model):
    """Village or neighbourhood ward (村里)."""

    code = models.CharField(_("code"), max_length=11, primary_key=True)
    township = models.ForeignKey(
        Township, models.PROTECT, related_name="villages", verbose_name=_("township")
    )
    name_zh = models.CharField(_("Chinese name"), max_length=10)
    name_en = models.CharField(_("English name"), max_length=40)

    class Meta:
        ordering = ["code"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")

    def __str__(self) -> str:
        return self.name_zh


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Household(models.Model):
    """A household as registered (戶籍): its number (戶號) and registered address."""

    number = models.CharField(
        _("household number"),
        max_length=8,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z][0-9]{7}$", _("A household number is a letter and seven digits.")
            )
        ],
    )
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="households", verbose_name=_("village")
    )
    neighbourhood = models.PositiveSmallIntegerField(
        _("neighbourhood (鄰)"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    street_address = models.CharField(_("street address"), max_length=100)
    head = models.ForeignKey(
        "Person", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("head")
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.number

    @property
    def address(self) -> str:
        township = self.village.township
        return (
            f"{township.county.name_zh}{township.name_zh}{self.village.name_zh}"
            f"{self.neighbourhood}鄰{self.street_address}"
        )


class Person(models.Model):
    """Someone insured, or once insured, by NHI."""

    national_id = models.CharField(
        _("national ID / resident certificate no."),
        max_length=10,
        unique=True,
        validators=[validate_personal_id],
    )
    name = models.CharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=15, blank=True)
    phone = models.CharField(_("telephone"), max_length=20, blank=True)
    household = models.ForeignKey(
        Household,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_id})"

    @property
    def masked_id(self) -> str:
        """As NHIA shows it on screen: Z19999****."""
        return self.national_id[:6] + "****"

    @property
    def is_foreign_resident(self) -> bool:
        return is_resident_certificate(self.national_id)

    def age_on(self, day: dt.date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday


class MailingAddress(models.Model):
    """Where NHIA posts a person's notices, bills and cards (通訊地址) when it is not the
    registered address. The latest row without `until` is in use; earlier rows stay as the
    history of changes."""

    person = models.ForeignKey(
        Person,
        models.CASCADE,
        related_name="mailing_addresses",
        db_index=False,
        verbose_name=_("person"),
    )
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="+", verbose_name=_("village")
    )
    neighbourhood = models.PositiveSmallIntegerField(
        _("neighbourhood (鄰)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    street_address = models.CharField(_("street address"), max_length=100)
    since = models.DateTimeField(_("in use since"))
    until = models.DateTimeField(_("in use until"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailing address")
        verbose_name_plural = _("mailing addresses")
        indexes = [models.Index(fields=["person", "-since"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(until__isnull=True),
                name="one_mailing_address",
            )
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        township = self.village.township
        neighbourhood = f"{self.neighbourhood}鄰" if self.neighbourhood else ""
        return (
            f"{township.county.name_zh}{township.name_zh}{self.village.name_zh}"
            f"{neighbourhood}{self.street_address}"
        )


class InsuredUnit(models.Model):
    """An insured unit (投保單位): employer, union, farmers' association or township office."""

    class Kind(models.TextChoices):
        EMPLOYER = "employer", _("Employer")
        UNION = "union", _("Occupational union")
        FARMERS = "farmers", _("Farmers' or fishers' association")
        OFFICE = "office", _("Township office (regional insured)")
        OTHER = "other", _("Other")

    code = models.CharField(
        _("unit code"),
        max_length=9,
        unique=True,
        # Nine digits, as on the seed's batch-registration screens (123456789).
        validators=[RegexValidator(r"^[0-9]{9}$", _("A unit code is nine digits."))],
    )
    name = models.CharField(pgettext_lazy("organisation", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=150, blank=True)
    township = models.ForeignKey(
        Township, models.PROTECT, null=True, blank=True, verbose_name=_("township")
    )

    class Meta:
        verbose_name = _("insured unit")
        verbose_name_plural = _("insured units")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class InsuredCategory(models.IntegerChoices):
    """The six categories of insured people in the NHI Act, art. 10."""

    EMPLOYEE = 1, _("Category 1: employees, employers, self-employed, professionals")
    UNION_MEMBER = 2, _("Category 2: occupational union members, seafarers")
    FARMER_FISHER = 3, _("Category 3: farmers and fishers")
    MILITARY_DEPENDANT = 4, _("Category 4: military service")
    LOW_INCOME = 5, _("Category 5: low-income households")
    REGIONAL = 6, _("Category 6: veterans and regional population")


class Enrolment(models.Model):
    """One period of NHI cover (投保紀錄): as the insured, or as a dependant of an insured."""

    class Role(models.TextChoices):
        INSURED = "insured", _("Insured")
        DEPENDANT = "dependant", _("Dependant")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Insured (在保)")
        WITHDRAWN = "withdrawn", _("Withdrawn (退保)")
        SUSPENDED = "suspended", _("Suspended (停保)")

    class Relation(models.TextChoices):
        SELF = "self", _("Self")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        GRANDPARENT = "grandparent", _("Grandparent")
        GRANDCHILD = "grandchild", _("Grandchild")

    class StartReason(models.TextChoices):
        """Why the period began: the kinds of NHIA's enrolment declarations (加保、轉入、
        復保) with their usual causes, as the unit or township office declares them."""

        NEW_JOB = "new_job", _("Started a job (到職加保)")
        JOINED = "joined", _("Joined a union or association (入會加保)")
        TRANSFER_IN = "transfer_in", _("Transferred in (轉入)")
        BIRTH = "birth", _("Birth (出生)")
        WITH_INSURED = "with_insured", _("Enrolled with the insured person (眷屬隨同加保)")
        RESUMED = "resumed", _("Resumed after a stay abroad (復保)")
        RESIDENCE = "residence", _("Registered residence (設籍或居留加保)")
        DISCHARGED = "discharged", _("Discharged from military service (退伍)")

    class EndReason(models.TextChoices):
        """Why the period ended (退保、轉出、停保) and its cause."""

        LEFT_JOB = "left_job", _("Left the job (離職)")
        LEFT = "left", _("Left the union or association (退會)")
        TRANSFER_OUT = "transfer_out", _("Transferred out (轉出)")
        WITH_INSURED = "with_insured", _("Left with the insured person (眷屬隨同轉出)")
        DEATH = "death", _("Death (死亡)")
        ABROAD = "abroad", _("Suspended while abroad (出國停保)")
        LOST_ELIGIBILITY = "lost_eligibility", _("No longer eligible (喪失投保資格)")
        MISSING = "missing", _("Missing for six months (失蹤滿六個月)")
        ENLISTED = "enlisted", _("Military service (入伍)")

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="enrolments", db_index=False, verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    insured_person = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="dependant_enrolments",
        verbose_name=_("dependant of"),
    )
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices)
    unit = models.ForeignKey(
        InsuredUnit, models.PROTECT, related_name="enrolments", verbose_name=_("insured unit")
    )
    category = models.PositiveSmallIntegerField(_("category"), choices=InsuredCategory.choices)
    insured_amount = models.PositiveIntegerField(_("insured amount (NT$)"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # Blank on rows written before the reasons were kept.
    start_reason = models.CharField(
        _("reason for joining"), max_length=16, choices=StartReason.choices, blank=True, default=""
    )
    end_reason = models.CharField(
        _("reason for leaving"), max_length=16, choices=EndReason.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        indexes = [models.Index(fields=["person", "-start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="insured", insured_person__isnull=True)
                | models.Q(role="dependant", insured_person__isnull=False),
                name="dependant_has_insured_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.role} {self.start_date}"


class NhiCard(models.Model):
    """An NHI IC card (健保IC卡); a person holds one valid card at a time."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REPLACED = "replaced", _("Replaced")
        LOST = "lost", _("Reported lost")
        CANCELLED = "cancelled", _("Cancelled")

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="cards", db_index=False, verbose_name=_("person")
    )
    number = models.CharField(
        _("card number"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[0-9]{12}$", _("A card number is twelve digits."))],
    )
    issued_on = models.DateField(_("issue date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # The chip's key: the card signs sign-in challenges, the server verifies with this.
    public_key = models.TextField(_("public key (PEM)"), blank=True)

    class Meta:
        verbose_name = _("NHI card")
        verbose_name_plural = _("NHI cards")
        indexes = [models.Index(fields=["person", "-issued_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="valid"), name="one_valid_card"
            )
        ]

    def __str__(self) -> str:
        return self.number[:4] + "********"


class CardIssuance(models.Model):
    """A card application and collection (領卡紀錄): first card, replacement, renewal."""

    class Reason(models.TextChoices):
        FIRST = "first", _("First card")
        LOST = "lost", _("Replacement for a lost card")
        DAMAGED = "damaged", _("Replacement for a damaged card")
        DATA_CHANGE = "data_change", _("Change of personal data")
        PHOTO = "photo", _("Photo update")

    class Channel(models.TextChoices):
        COUNTER = "counter", _("NHIA counter")
        POST = "post", _("Post office")
        ONLINE = "online", _("Online")

    person = models.ForeignKey(
        Person,
        models.CASCADE,
        related_name="card_issuances",
        db_index=False,
        verbose_name=_("person"),
    )
    card = models.ForeignKey(
        NhiCard, models.CASCADE, related_name="issuances", verbose_name=_("NHI card")
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    applied_on = models.DateField(_("application date"))
    issued_on = models.DateField(_("collection date"))
    fee = models.PositiveIntegerField(_("fee (NT$)"), default=0)

    class Meta:
        verbose_name = _("card issuance")
        verbose_name_plural = _("card issuances")
        indexes = [models.Index(fields=["person", "-applied_on"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.issued_on}"


class PremiumBill(models.Model):
    """A month's premium (保費計費明細) the insured owes for self and dependants."""

    person = models.ForeignKey(
        Person,
        models.CASCADE,
        related_name="premium_bills",
        db_index=False,
        verbose_name=_("person"),
    )
    unit = models.ForeignKey(
        InsuredUnit, models.PROTECT, related_name="+", verbose_name=_("insured unit")
    )
    month = models.DateField(_("month"))  # always the 1st
    category = models.PositiveSmallIntegerField(_("category"), choices=InsuredCategory.choices)
    insured_amount = models.PositiveIntegerField(_("insured amount (NT$)"))
    dependants = models.PositiveSmallIntegerField(_("dependants counted"))
    amount = models.PositiveIntegerField(_("premium (NT$)"))
    due_date = models.DateField(_("due date"))

    class Meta:
        verbose_name = _("premium bill")
        verbose_name_plural = _("premium bills")
        indexes = [models.Index(fields=["person", "-month"])]
        constraints = [models.UniqueConstraint(fields=["person", "month"], name="one_bill_a_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} NT${grouped(self.amount)}"


class PremiumPayment(models.Model):
    """A payment of a monthly premium (保險費繳納明細)."""

    class Method(models.TextChoices):
        PAYROLL = "payroll", _("Paid by the insured unit")
        BANK = "bank", _("Bank transfer")
        STORE = "store", _("Convenience store")
        POST = "post", _("Post office")
        CARD = "card", _("Credit card")

    person = models.ForeignKey(
        Person,
        models.CASCADE,
        related_name="premium_payments",
        db_index=False,
        verbose_name=_("person"),
    )
    bill = models.ForeignKey(
        PremiumBill, models.CASCADE, related_name="payments", verbose_name=_("premium bill")
    )
    paid_on = models.DateField(_("payment date"))
    amount = models.PositiveIntegerField(_("amount (NT$)"))
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)

    class Meta:
        verbose_name = _("premium payment")
        verbose_name_plural = _("premium payments")
        indexes = [models.Index(fields=["person", "-paid_on"])]

    def __str__(self) -> str:
        return f"{self.paid_on} NT${grouped(self.amount)}"
