"""The measurements a person enters (生理量測): each kind's label, unit and plausible range,
BMI, and the reference values the trend charts draw. Pure rules: no queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from healthbank.records.models import Measurement

Kind = Measurement.Kind


@dataclass(frozen=True)
class Measure:
    """One kind of measurement: its label and unit as the seed shows them, the values a
    person can plausibly enter (wider than any reference range: a typo is refused, an
    alarming but real value is kept), and whether it is typed as a whole number."""

    kind: str
    label: str | Promise
    unit: str | Promise
    low: Decimal
    high: Decimal
    whole: bool = False


# The plausible ranges, in one place. Extremes of adults and children (a newborn's 30 cm
# waist, a hypertensive crisis above 250 mmHg, a hyperglycaemic emergency above 600 mg/dL)
# stay inside them.
MEASURES: tuple[Measure, ...] = (
    Measure(Kind.HEIGHT, _("Height"), _("cm"), Decimal(30), Decimal(250)),
    Measure(Kind.WEIGHT, _("Weight"), _("kg"), Decimal(1), Decimal(400)),
    Measure(Kind.WAIST, _("Waist"), _("cm"), Decimal(30), Decimal(250)),
    Measure(Kind.SYSTOLIC, _("Systolic pressure"), "mmHg", Decimal(50), Decimal(300), True),
    Measure(Kind.DIASTOLIC, _("Diastolic pressure"), "mmHg", Decimal(30), Decimal(200), True),
    Measure(
        Kind.FASTING_GLUCOSE, _("Fasting blood glucose"), "mg/dL", Decimal(20), Decimal(800), True
    ),
    Measure(Kind.HEART_RATE, _("Heart rate"), _("beats/min"), Decimal(20), Decimal(250), True),
)
MEASURE: dict[str, Measure] = {m.kind: m for m in MEASURES}
BMI_UNIT = _("kg/m²")

# Reference lines on the trend charts, for orientation only. Fasting glucose below
# 100 mg/dL (ADA, Standards of Care 2.5); resting heart rate 60-100/min (AHA); waist
# 90 cm for men and 80 cm for women (Health Promotion Administration, 腹部肥胖).
GLUCOSE_REFERENCE = (Decimal(70), Decimal(99))
HEART_RATE_REFERENCE = (Decimal(60), Decimal(100))
WAIST_LIMIT: dict[str, Decimal] = {"M": Decimal(90), "F": Decimal(80)}


def bmi(height_cm: Decimal | None, weight_kg: Decimal | None) -> Decimal | None:
    """Body-mass index, kg/m², to one decimal (the seed's 22.2 for 159 cm and 56 kg)."""
    if not height_cm or not weight_kg:
        return None
    metres = Decimal(height_cm) / 100
    return (Decimal(weight_kg) / (metres * metres)).quantize(Decimal("0.1"), ROUND_HALF_UP)
