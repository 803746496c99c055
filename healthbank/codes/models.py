"""Code tables. Each row's code is its primary key, so records store the code itself."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class CodeTable(models.Model):
    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def name(self) -> str:
        """The name in the reader's language (Chinese unless the page is in English)."""
        english = (translation.get_language() or "").startswith("en")
        return self.name_en if english and self.name_en else self.name_zh


class Diagnosis(CodeTable):
    """ICD-10-CM diagnosis (疾病分類)."""

    chronic = models.BooleanField(_("chronic condition"), default=False)

    class Meta(CodeTable.Meta):
        verbose_name = _("diagnosis (ICD-10-CM)")
        verbose_name_plural = _("diagnoses (ICD-10-CM)")


class AtcClass(CodeTable):
    """Anatomical Therapeutic Chemical class (藥理分類), any level from 1 (A) to 5 (C09AA05)."""

    class Meta(CodeTable.Meta):
        verbose_name = _("ATC class")
        verbose_name_plural = _("ATC classes")

    @property
    def level(self) -> int:
        return {1: 1, 3: 2, 4: 3, 5: 4, 7: 5}[len(self.code)]


class Drug(CodeTable):
    """NHI drug code (藥品代碼, ten characters): name_zh is the licensed Chinese name."""

    class Kind(models.TextChoices):
        WESTERN = "western", _("Western medicine")
        TCM = "tcm", _("Chinese medicine (concentrated extract)")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.WESTERN)
    generic_name = models.CharField(_("generic name"), max_length=200)
    # Chinese-medicine formulas have no ATC class.
    atc = models.ForeignKey(
        AtcClass, models.PROTECT, null=True, blank=True, verbose_name=_("ATC class")
    )
    form = models.CharField(_("dosage form"), max_length=20)  # 錠劑, 膠囊, 注射劑 ...
    strength = models.CharField(_("strength"), max_length=40)
    unit = models.CharField(_("unit"), max_length=10)  # 粒, 支, 瓶, mL ...

    class Meta(CodeTable.Meta):
        verbose_name = _("drug")
        verbose_name_plural = _("drugs")


class Service(CodeTable):
    """NHI medical service payment code (診療項目): consultations, labs, procedures, surgeries."""

    class Category(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation")
        DISPENSING = "dispensing", _("Dispensing")
        LAB = "lab", _("Laboratory test")
        IMAGING = "imaging", _("Imaging")
        PATHOLOGY = "pathology", _("Pathology")
        PROCEDURE = "procedure", _("Procedure")
        SURGERY = "surgery", _("Surgery")
        DENTAL = "dental", _("Dental treatment")
        TCM = "tcm", _("Chinese medicine treatment")
        WARD = "ward", _("Ward and nursing")
        PREVENTIVE = "preventive", _("Preventive care")

    category = models.CharField(_("category"), max_length=15, choices=Category.choices)
    points = models.PositiveIntegerField(_("NHI points"))

    class Meta(CodeTable.Meta):
        verbose_name = _("NHI service")
        verbose_name_plural = _("NHI services")


class Vaccine(CodeTable):
    """Vaccine as Taiwan CDC's immunisation registry codes it (JE1, MMR1, HepB2 ...)."""

    antigen = models.CharField(_("antigen group"), max_length=30)

    class Meta(CodeTable.Meta):
        verbose_name = _("vaccine")
        verbose_name_plural = _("vaccines")


class LabItem(CodeTable):
    """A laboratory test with its unit and adult reference range; code = NHI service code."""

    class Panel(models.TextChoices):
        GLUCOSE_LIPID = "glucose_lipid", _("Blood glucose and lipids")
        KIDNEY = "kidney", _("Kidney function")
        LIVER = "liver", _("Liver function and hepatitis")
        URINE = "urine", _("Urine")
        BLOOD = "blood", _("Blood count")
        OTHER = "other", _("Other")

    class Kind(models.TextChoices):
        NUMERIC = "numeric", _("Numeric")
        QUALITATIVE = "qualitative", _("Positive / negative")

    short_name = models.CharField(_("short name"), max_length=20)  # HbA1c, LDL-C, eGFR
    panel = models.CharField(_("panel"), max_length=15, choices=Panel.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    reference_low = models.DecimalField(
        _("reference range, low"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    reference_high = models.DecimalField(
        _("reference range, high"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    reference_text = models.CharField(_("reference range"), max_length=40)

    class Meta(CodeTable.Meta):
        verbose_name = _("laboratory item")
        verbose_name_plural = _("laboratory items")


class ToothPosition(CodeTable):
    """FDI tooth position (牙位): 11–48 permanent, 51–85 primary."""

    class Dentition(models.TextChoices):
        PERMANENT = "permanent", _("Permanent (adult)")
        PRIMARY = "primary", _("Primary (child)")

    dentition = models.CharField(_("dentition"), max_length=10, choices=Dentition.choices)
    quadrant = models.PositiveSmallIntegerField(_("quadrant"))

    class Meta(CodeTable.Meta):
        verbose_name = _("tooth position")
        verbose_name_plural = _("tooth positions")


class BodySite(CodeTable):
    """Body site (部位) for surgeries and imaging, as the surgery page's figure groups them."""

    region = models.CharField(_("region"), max_length=20)  # head, chest, abdomen, limbs ...

    class Meta(CodeTable.Meta):
        verbose_name = _("body site")
        verbose_name_plural = _("body sites")


class Department(CodeTable):
    """NHI department code (就醫科別)."""

    class Meta(CodeTable.Meta):
        verbose_name = _("department")
        verbose_name_plural = _("departments")
