"""Health records. Every row carries its person, and every table is indexed the way the
portal reads it: one person, newest first."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from healthbank.codes.models import (
    BodySite,
    Department,
    Diagnosis,
    Drug,
    LabItem,
    Service,
    ToothPosition,
    Vaccine,
)
from healthbank.people.models import County, Person, Township


def UPDATED_AT() -> models.DateTimeField:  # noqa: N802 (reads as a field class)
    """When the row was last written: FHIR's meta.lastUpdated, ETag and _lastUpdated. The
    database default covers rows written without the ORM (COPY, executemany)."""
    return models.DateTimeField(_("last updated"), auto_now=True, db_default=Now())


class Provider(models.Model):
    """A contracted healthcare provider (特約醫事機構) or a reporting agency."""

    class Kind(models.TextChoices):
        MEDICAL_CENTRE = "medical_centre", _("Medical centre")
        REGIONAL_HOSPITAL = "regional_hospital", _("Regional hospital")
        DISTRICT_HOSPITAL = "district_hospital", _("District hospital")
        CLINIC = "clinic", _("Western-medicine clinic")
        DENTAL_CLINIC = "dental_clinic", _("Dental clinic")
        TCM_CLINIC = "tcm_clinic", _("Chinese-medicine clinic")
        PHARMACY = "pharmacy", _("Pharmacy")
        HEALTH_STATION = "health_station", _("Public health centre")
        AGENCY = "agency", _("Government agency")

    code = models.CharField(_("provider code"), max_length=10, unique=True)
    name = models.CharField(pgettext_lazy("organisation", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    county = models.ForeignKey(County, models.PROTECT, verbose_name=_("county"))
    township = models.ForeignKey(
        Township, models.PROTECT, null=True, blank=True, verbose_name=_("township")
    )
    phone = models.CharField(_("telephone"), max_length=20)
    address = models.CharField(_("address"), max_length=150)

    # 院所查詢 (provider search in the app): what the provider reports of itself through
    # the feed's `facility` row (ingest/rows.py); empty until it has.
    class EmergencyLevel(models.TextChoices):
        """急救責任醫院分級: the level of emergency care a hospital is responsible for."""

        SEVERE = "severe", _("Severe-level emergency hospital")
        MODERATE = "moderate", _("Moderate-level emergency hospital")
        GENERAL = "general", _("General-level emergency hospital")

    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    # One bit per weekday and session (rules.session_bit): Monday morning is bit 0.
    opening_sessions = models.PositiveIntegerField(_("opening sessions"), default=0)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="providers", verbose_name=_("departments")
    )
    emergency_level = models.CharField(
        _("emergency care level"),
        max_length=10,
        choices=EmergencyLevel.choices,
        blank=True,
        default="",
    )

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        indexes = [
            # The near-me search's bounding box: a latitude range, then longitude.
            models.Index(fields=["latitude", "longitude"], name="records_provider_position"),
            models.Index(
                fields=["emergency_level"],
                name="records_provider_emergency",
                condition=~models.Q(emergency_level=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EmergencyLoad(models.Model):
    """急診即時訊息: how full a hospital's emergency room is, as the hospital reported it
    through the feed (the `er_load` row) at `reported_at`."""

    provider = models.ForeignKey(
        Provider,
        models.CASCADE,
        related_name="emergency_loads",
        db_index=False,
        verbose_name=_("provider"),
    )
    source_id = models.CharField(_("provider's record id"), max_length=40)
    reported_at = models.DateTimeField(_("reported at"))
    waiting_to_be_seen = models.PositiveIntegerField(_("waiting to be seen by a doctor"))
    waiting_for_bed = models.PositiveIntegerField(_("waiting for an emergency bed"))
    waiting_for_admission = models.PositiveIntegerField(_("waiting for a ward bed"))
    updated_at = UPDATED_AT()

    class Meta:
        verbose_name = _("emergency room load")
        verbose_name_plural = _("emergency room loads")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "source_id"], name="records_emergencyload_source_unique"
            )
        ]
        indexes = [
            models.Index(fields=["provider", "-reported_at"], name="records_emergencyload_latest")
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} at {self.reported_at:%Y-%m-%d %H:%M}"


class FirstAidGuide(models.Model):
    """急症處理: first-aid guidance for a common emergency, written and kept by staff in both
    languages. Public: the app shows it to anyone."""

    slug = models.SlugField(_("short name"), max_length=40, unique=True)
    title_zh = models.CharField(_("Chinese title"), max_length=60)
    title_en = models.CharField(_("English title"), max_length=100)
    body_zh = models.TextField(_("Chinese text"), help_text=_("One step per line."))
    body_en = models.TextField(_("English text"), help_text=_("One step per line."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    published = models.BooleanField(_("published"), default=True)
    updated_at = UPDATED_AT()

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("first-aid guide")
        verbose_name_plural = _("first-aid guides")

    def __str__(self) -> str:
        return self.title_zh


class ReportedRecord(models.Model):
    """Fields of every row a provider or agency reports."""

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    provider = models.ForeignKey(
        Provider, models.PROTECT, related_name="+", db_index=False, verbose_name=_("provider")
    )
    # The reporter's own id for the row: uploads are idempotent on (provider, source_id).
    source_id = models.CharField(_("provider's record id"), max_length=40)
    updated_at = UPDATED_AT()

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "source_id"], name="%(app_label)s_%(class)s_source_unique"
            )
        ]


class Visit(ReportedRecord):
    """A claim for one visit (就醫紀錄): outpatient, pharmacy dispensing or an inpatient stay."""

    class Kind(models.TextChoices):
        WESTERN = "western", _("Western-medicine outpatient")
        TCM = "tcm", _("Chinese-medicine outpatient")
        DENTAL = "dental", _("Dental outpatient")
        PHARMACY = "pharmacy", _("Pharmacy dispensing")
        INPATIENT = "inpatient", _("Inpatient")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    visit_date = models.DateField(_("visit / admission date"))
    discharge_date = models.DateField(_("discharge date"), null=True, blank=True)
    department = models.ForeignKey(
        Department, models.PROTECT, verbose_name=_("department"), db_index=False
    )
    # The main diagnosis, kept on the visit so that list pages need no join.
    primary_diagnosis = models.ForeignKey(
        Diagnosis, models.PROTECT, related_name="+", db_index=False, verbose_name=_("diagnosis")
    )
    copayment = models.PositiveIntegerField(_("copayment (NT$)"))
    points = models.PositiveIntegerField(_("NHI points"))
    card_sequence = models.CharField(_("card sequence no."), max_length=4)  # 健保卡就醫序號
    chronic_refill = models.BooleanField(_("chronic refill prescription"), default=False)
    refill_number = models.PositiveSmallIntegerField(_("refill number"), null=True, blank=True)

    class Meta(ReportedRecord.Meta):
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["person", "-visit_date"]),
            models.Index(fields=["person", "kind", "-visit_date"]),
        ]
        constraints = [
            *ReportedRecord.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(discharge_date__isnull=True)
                | models.Q(discharge_date__gte=models.F("visit_date")),
                name="discharge_after_admission",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visit_date}"


class VisitDiagnosis(models.Model):
    """Every diagnosis of a visit in claim order; rank 1 is the visit's primary diagnosis."""

    visit = models.ForeignKey(
        Visit, models.CASCADE, related_name="diagnoses", verbose_name=_("visit")
    )
    person = models.ForeignKey(
        Person, models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    diagnosis = models.ForeignKey(
        Diagnosis, models.PROTECT, related_name="+", db_index=False, verbose_name=_("diagnosis")
    )
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        verbose_name = _("visit diagnosis")
        verbose_name_plural = _("visit diagnoses")
        ordering = ["visit", "rank"]
        indexes = [models.Index(fields=["person", "diagnosis"])]
        constraints = [
            models.UniqueConstraint(fields=["visit", "rank"], name="visit_diagnosis_rank")
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.diagnosis_id}"


class DrugOrder(models.Model):
    """A drug order of a visit (藥品醫令)."""

    visit = models.ForeignKey(
        Visit, models.CASCADE, related_name="drug_orders", verbose_name=_("visit")
    )
    person = models.ForeignKey(
        Person, models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    drug = models.ForeignKey(
        Drug, models.PROTECT, related_name="+", db_index=False, verbose_name=_("drug")
    )
    days = models.PositiveSmallIntegerField(_("days supplied"))
    quantity = models.DecimalField(_("total quantity"), max_digits=8, decimal_places=2)
    frequency = models.CharField(_("frequency"), max_length=10, blank=True)  # QD, BID, TID ...

    class Meta:
        verbose_name = _("drug order")
        verbose_name_plural = _("drug orders")
        indexes = [models.Index(fields=["person", "drug"])]

    def __str__(self) -> str:
        return f"{self.drug_id} × {self.quantity} ({self.days} d)"


class ServiceOrder(models.Model):
    """A non-drug order of a visit (非藥品醫令): fees, tests, treatments, dental work on a tooth."""

    visit = models.ForeignKey(
        Visit, models.CASCADE, related_name="service_orders", verbose_name=_("visit")
    )
    person = models.ForeignKey(
        Person, models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    service = models.ForeignKey(
        Service, models.PROTECT, related_name="+", db_index=False, verbose_name=_("NHI service")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2, default=1)
    tooth = models.ForeignKey(
        ToothPosition,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("tooth"),
    )

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        indexes = [models.Index(fields=["person", "tooth"])]

    def __str__(self) -> str:
        return f"{self.service_id} × {self.quantity}" + (
            f" @{self.tooth_id}" if self.tooth_id else ""
        )


class Surgery(models.Model):
    """A surgery or major procedure (手術) of a visit, with the body site it was done on."""

    visit = models.ForeignKey(
        Visit, models.CASCADE, related_name="surgeries", verbose_name=_("visit")
    )
    person = models.ForeignKey(
        Person, models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    service = models.ForeignKey(
        Service, models.PROTECT, related_name="+", db_index=False, verbose_name=_("NHI service")
    )
    body_site = models.ForeignKey(
        BodySite, models.PROTECT, related_name="+", db_index=False, verbose_name=_("body site")
    )
    performed_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("surgery")
        verbose_name_plural = _("surgeries")
        indexes = [models.Index(fields=["person", "-performed_on"])]

    def __str__(self) -> str:
        return f"{self.service_id} {self.body_site_id} {self.performed_on}"


class LabResult(ReportedRecord):
    """A laboratory result (檢驗結果) uploaded by the provider."""

    class Flag(models.TextChoices):
        NORMAL = "", _("Normal")
        HIGH = "H", _("High")
        LOW = "L", _("Low")
        ABNORMAL = "A", _("Abnormal")

    visit = models.ForeignKey(
        Visit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("visit")
    )
    item = models.ForeignKey(
        LabItem, models.PROTECT, related_name="+", db_index=False, verbose_name=_("test")
    )
    collected_on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2, null=True, blank=True)
    value_text = models.CharField(_("result"), max_length=40)  # as reported: "8.8", "陰性"
    flag = models.CharField(_("flag"), max_length=1, choices=Flag.choices, blank=True)

    class Meta(ReportedRecord.Meta):
        verbose_name = _("laboratory result")
        verbose_name_plural = _("laboratory results")
        indexes = [models.Index(fields=["person", "item", "-collected_on"])]

    def __str__(self) -> str:
        return f"{self.item_id} {self.collected_on}: {self.value_text}"


class ImagingReport(ReportedRecord):
    """An imaging or pathology report (影像或病理檢驗報告)."""

    class Kind(models.TextChoices):
        IMAGING = "imaging", _("Imaging")
        PATHOLOGY = "pathology", _("Pathology")

    visit = models.ForeignKey(
        Visit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("visit")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    service = models.ForeignKey(
        Service, models.PROTECT, related_name="+", db_index=False, verbose_name=_("exam")
    )
    body_site = models.ForeignKey(
        BodySite, models.PROTECT, related_name="+", db_index=False, verbose_name=_("body site")
    )
    examined_on = models.DateField(_("exam date"))
    findings = models.TextField(_("findings"))
    impression = models.TextField(_("impression"))

    class Meta(ReportedRecord.Meta):
        verbose_name = _("imaging or pathology report")
        verbose_name_plural = _("imaging and pathology reports")
        indexes = [models.Index(fields=["person", "-examined_on"])]

    def __str__(self) -> str:
        return f"{self.service_id} {self.examined_on}"


class DischargeSummary(ReportedRecord):
    """A discharge summary (出院病歷摘要) of an inpatient stay."""

    visit = models.OneToOneField(
        Visit, models.CASCADE, related_name="discharge_summary", verbose_name=_("visit")
    )
    admitted_on = models.DateField(_("admission date"))
    discharged_on = models.DateField(_("discharge date"))
    chief_complaint = models.TextField(_("chief complaint"))
    diagnoses = models.TextField(_("discharge diagnoses"))
    course = models.TextField(_("hospital course"))
    procedures = models.TextField(_("surgeries and procedures"), blank=True)
    discharge_plan = models.TextField(_("discharge instructions"))

    class Meta(ReportedRecord.Meta):
        verbose_name = _("discharge summary")
        verbose_name_plural = _("discharge summaries")
        indexes = [models.Index(fields=["person", "-discharged_on"])]

    def __str__(self) -> str:
        return f"{self.admitted_on} – {self.discharged_on}"


class Allergy(ReportedRecord):
    """A drug allergy a provider recorded on the NHI card (過敏資料)."""

    recorded_on = models.DateField(_("upload date"))
    substance = models.CharField(_("allergen"), max_length=120)
    drug = models.ForeignKey(
        Drug,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("drug"),
    )
    reaction = models.CharField(_("reaction"), max_length=100, blank=True)
    physician = models.CharField(_("recording physician"), max_length=50, blank=True)

    class Meta(ReportedRecord.Meta):
        verbose_name = _("allergy")
        verbose_name_plural = _("allergies")
        indexes = [models.Index(fields=["person", "-recorded_on"])]

    def __str__(self) -> str:
        return f"{self.substance} ({self.recorded_on})"


class Vaccination(ReportedRecord):
    """A vaccination from Taiwan CDC's immunisation registry (預防接種)."""

    vaccine = models.ForeignKey(
        Vaccine, models.PROTECT, related_name="+", db_index=False, verbose_name=_("vaccine")
    )
    given_on = models.DateField(_("vaccination date"))
    lot_number = models.CharField(_("lot number"), max_length=20, blank=True)

    class Meta(ReportedRecord.Meta):
        verbose_name = _("vaccination")
        verbose_name_plural = _("vaccinations")
        indexes = [models.Index(fields=["person", "-given_on"])]

    def __str__(self) -> str:
        return f"{self.vaccine_id} {self.given_on}"


class CheckResult(models.TextChoices):
    NORMAL = "normal", _("Normal")
    ABNORMAL = "abnormal", _("Abnormal")
    NOT_DONE = "not_done", _("Not done")


class Serology(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    NOT_DONE = "not_done", _("Not done")


class PreventiveCheck(ReportedRecord):
    """An adult preventive check (成人預防保健): every field of the seed's page, as HPA has it."""

    checked_on = models.DateField(_("check date"))
    height_cm = models.DecimalField(
        _("Height (cm)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    weight_kg = models.DecimalField(
        _("Weight (kg)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    bmi = models.DecimalField(
        _("BMI (body mass index)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    waist_cm = models.DecimalField(
        _("Waist (cm)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    systolic = models.PositiveSmallIntegerField(
        _("Systolic pressure (mmHg)"), null=True, blank=True
    )
    diastolic = models.PositiveSmallIntegerField(
        _("Diastolic pressure (mmHg)"), null=True, blank=True
    )
    blood_pressure_result = models.CharField(
        _("blood pressure result"), max_length=8, choices=CheckResult.choices
    )
    total_cholesterol = models.PositiveSmallIntegerField(
        _("Total cholesterol (TC)"), null=True, blank=True
    )
    triglycerides = models.PositiveSmallIntegerField(_("Triglycerides (TG)"), null=True, blank=True)
    hdl = models.PositiveSmallIntegerField(_("HDL cholesterol (HDL)"), null=True, blank=True)
    ldl = models.PositiveSmallIntegerField(_("LDL cholesterol (LDL)"), null=True, blank=True)
    lipid_result = models.CharField(
        _("blood lipids result"), max_length=8, choices=CheckResult.choices
    )
    fasting_glucose = models.PositiveSmallIntegerField(
        _("Fasting glucose (mg/dL)"), null=True, blank=True
    )
    glucose_result = models.CharField(
        _("blood glucose result"), max_length=8, choices=CheckResult.choices
    )
    bun = models.DecimalField(
        _("Blood urea nitrogen (BUN)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    creatinine = models.DecimalField(
        _("Creatinine"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    egfr = models.DecimalField(
        _("Glomerular filtration rate (eGFR)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
    )
    kidney_result = models.CharField(
        _("kidney function result"), max_length=8, choices=CheckResult.choices
    )
    urine_protein = models.CharField(
        _("Urine protein"), max_length=8, blank=True
    )  # -, ±, +, 2+ ... as reported
    metabolic_syndrome_result = models.CharField(
        _("metabolic syndrome result"), max_length=8, choices=CheckResult.choices
    )
    ast = models.PositiveSmallIntegerField(_("SGOT (AST or GOT)"), null=True, blank=True)
    alt = models.PositiveSmallIntegerField(_("SGPT (ALT or GPT)"), null=True, blank=True)
    liver_result = models.CharField(
        _("liver function result"), max_length=8, choices=CheckResult.choices
    )
    hbsag = models.CharField(
        _("Hepatitis B surface antigen (HBsAg)"), max_length=8, choices=Serology.choices
    )
    anti_hcv = models.CharField(
        _("Hepatitis C antibody (Anti-HCV)"), max_length=8, choices=Serology.choices
    )

    class Meta(ReportedRecord.Meta):
        verbose_name = _("adult preventive check")
        verbose_name_plural = _("adult preventive checks")
        indexes = [models.Index(fields=["person", "-checked_on"])]

    def __str__(self) -> str:
        return f"{self.checked_on}"


class CareWish(ReportedRecord):
    """An organ-donation or hospice / palliative-care wish noted on the NHI card (MOHW)."""

    class Kind(models.TextChoices):
        ORGAN_DONATION = "organ_donation", _("Organ donation")
        HOSPICE = "hospice", _("Hospice and palliative care")
        NO_CPR = "no_cpr", _("Do not resuscitate")
        NO_LIFE_SUSTAINING = "no_life_sustaining", _("Withhold life-sustaining treatment")

    kind = models.CharField(_("wish"), max_length=20, choices=Kind.choices)
    signed_on = models.DateField(_("signed on"))
    noted_on = models.DateField(_("noted on card"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)

    class Meta(ReportedRecord.Meta):
        verbose_name = _("care wish")
        verbose_name_plural = _("care wishes")
        indexes = [models.Index(fields=["person", "-signed_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.signed_on}"


class Measurement(models.Model):
    """A measurement the person enters (生理量測): one value of one kind at one time."""

    class Kind(models.TextChoices):
        HEIGHT = "height", _("Height (cm)")
        WEIGHT = "weight", _("Weight (kg)")
        WAIST = "waist", _("Waist (cm)")
        SYSTOLIC = "systolic", _("Systolic pressure (mmHg)")
        DIASTOLIC = "diastolic", _("Diastolic pressure (mmHg)")
        FASTING_GLUCOSE = "fasting_glucose", _("Fasting glucose (mg/dL)")
        HEART_RATE = "heart_rate", _("Heart rate (beats/min)")

    person = models.ForeignKey(
        Person,
        models.CASCADE,
        related_name="measurements",
        db_index=False,
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    value = models.DecimalField(_("value"), max_digits=6, decimal_places=1)
    measured_at = models.DateTimeField(_("measured at"))
    updated_at = UPDATED_AT()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        indexes = [models.Index(fields=["person", "kind", "-measured_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class CalendarEvent(models.Model):
    """An entry in the person's own calendar (我的行事曆)."""

    person = models.ForeignKey(
        Person,
        models.CASCADE,
        related_name="calendar_events",
        db_index=False,
        verbose_name=_("person"),
    )
    title = models.CharField(_("title"), max_length=100)
    date = models.DateField(_("date"))
    time = models.TimeField(_("time"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = UPDATED_AT()

    class Meta:
        verbose_name = _("calendar event")
        verbose_name_plural = _("calendar events")
        indexes = [models.Index(fields=["person", "-date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"
