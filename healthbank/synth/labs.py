"""Laboratory values of a synthetic person, consistent with their conditions over time.

eGFR is calculated from creatinine with the CKD-EPI 2021 equation, as Taiwan's labs do.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

NEGATIVE, POSITIVE = "Negative", "Positive"


def ckd_epi_2021(creatinine: float, age: int, sex: str) -> float:
    """eGFR (mL/min/1.73 m²) from serum creatinine (mg/dL), age and sex."""
    kappa, alpha = (0.7, -0.241) if sex == "F" else (0.9, -0.302)
    ratio = creatinine / kappa
    egfr = 142 * min(ratio, 1) ** alpha * max(ratio, 1) ** -1.2 * 0.9938**age
    return egfr * 1.012 if sex == "F" else egfr


def creatinine_for(egfr: float, age: int, sex: str) -> float:
    """The creatinine that gives this eGFR (the inverse of CKD-EPI 2021 above the knee)."""
    kappa = 0.7 if sex == "F" else 0.9
    base = 142 * 0.9938**age * (1.012 if sex == "F" else 1)
    if egfr >= base:  # below the knee of the curve: normal creatinine
        return round(kappa * 0.9, 2)
    return kappa * (egfr / base) ** (-1 / 1.2)


@dataclass
class Physiology:
    """A person's baseline values and how their conditions move them over the years."""

    sex: str
    birth_date: dt.date
    conditions: frozenset[str]
    rng: random.Random
    today: dt.date
    traits: dict = field(default_factory=dict)  # fixed values, e.g. {"hbeag_positive": True}

    def __post_init__(self) -> None:
        r, c = self.rng, self.conditions
        self.hba1c = r.uniform(6.8, 9.2) if "diabetes" in c else r.uniform(5.0, 5.8)
        self.glucose = r.uniform(125, 190) if "diabetes" in c else r.uniform(82, 99)
        self.ldl = r.uniform(120, 175) if "dyslipidaemia" in c else r.uniform(70, 130)
        self.hdl = r.uniform(32, 48) if "dyslipidaemia" in c else r.uniform(42, 72)
        self.tg = r.uniform(150, 320) if "dyslipidaemia" in c else r.uniform(55, 145)
        # CKD: eGFR three years ago and its yearly fall; ACR three years ago and its rise.
        self.egfr_start: float | None  # None: kidneys that keep their eGFR
        if "ckd" in c:
            self.egfr_start, self.egfr_fall = r.uniform(42, 62), r.uniform(2.0, 6.0)
            self.acr_start, self.acr_rise = r.uniform(40, 250), r.uniform(1.1, 1.6)
        else:
            self.egfr_start, self.egfr_fall = None, 0.0
            self.acr_start, self.acr_rise = r.uniform(4, 22), 1.0
        self.creatinine_normal = r.uniform(0.8, 1.1) if self.sex == "M" else r.uniform(0.55, 0.85)
        self.hbv = "hepatitis_b" in c
        self.hbeag_positive = self.hbv and r.random() < 0.2
        self.alt_base = r.uniform(25, 70) if self.hbv else r.uniform(10, 32)
        self.hcv = r.random() < 0.02
        self.uric = r.uniform(7.5, 9.8) if "gout" in c else r.uniform(3.5, 6.8)
        self.systolic = r.uniform(138, 158) if "hypertension" in c else r.uniform(104, 128)
        self.height = r.gauss(171, 6) if self.sex == "M" else r.gauss(159, 5.5)
        self.bmi = r.uniform(24, 31) if {"diabetes", "hypertension"} & c else r.uniform(19, 26)
        for name, value in self.traits.items():
            setattr(self, name, value)

    def age_on(self, day: dt.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def years_before_today(self, day: dt.date) -> float:
        return (self.today - day).days / 365.25

    def egfr(self, day: dt.date) -> float:
        age = self.age_on(day)
        if self.egfr_start is None:
            return ckd_epi_2021(self.creatinine_normal, age, self.sex)
        years_in = 3 - self.years_before_today(day)
        return max(8.0, self.egfr_start - self.egfr_fall * years_in + self.rng.uniform(-3, 3))

    def creatinine(self, day: dt.date) -> float:
        if self.egfr_start is None:
            return self.creatinine_normal + self.rng.uniform(-0.05, 0.05)
        return creatinine_for(self.egfr(day), self.age_on(day), self.sex)

    def value(self, key: str, day: dt.date) -> tuple[float | None, str]:
        """(number or None, text as reported) of one test on one day."""
        r = self.rng
        jitter = r.uniform(0.93, 1.07)
        if key == "hba1c":
            number = self.hba1c * jitter
        elif key == "glucose_ac":
            number = self.glucose * jitter
        elif key == "total_cholesterol":
            number = (self.ldl + self.hdl + self.tg / 5) * jitter
        elif key == "triglycerides":
            number = self.tg * r.uniform(0.8, 1.2)
        elif key == "hdl":
            number = self.hdl * jitter
        elif key == "ldl":
            number = self.ldl * jitter
        elif key == "creatinine":
            number = self.creatinine(day)
        elif key == "egfr":
            number = ckd_epi_2021(self.creatinine(day), self.age_on(day), self.sex)
        elif key == "bun":
            number = 14 * 1.0 / max(self.egfr(day) / 90, 0.2) * jitter
        elif key == "acr":
            years_in = 3 - self.years_before_today(day)
            number = self.acr_start * self.acr_rise**years_in * r.uniform(0.8, 1.25)
        elif key == "urine_protein":
            acr = self.acr_start * self.acr_rise ** (3 - self.years_before_today(day))
            text = "-" if acr < 30 else "±" if acr < 100 else "+" if acr < 300 else "2+"
            return None, text
        elif key in ("ast", "alt"):
            flare = r.uniform(1.5, 3.0) if self.hbv and r.random() < 0.15 else 1.0
            base = self.alt_base if key == "alt" else self.alt_base * 0.85 + 5
            number = base * jitter * flare
        elif key == "hbsag":
            return None, POSITIVE if self.hbv else NEGATIVE
        elif key == "hbeag":
            return None, POSITIVE if self.hbeag_positive else NEGATIVE
        elif key == "anti_hcv":
            return None, POSITIVE if self.hcv else NEGATIVE
        elif key == "uric_acid":
            number = self.uric * jitter
        elif key == "afp":
            number = r.uniform(1.5, 8.5)
        elif key == "hbv_dna":
            number = 10 ** r.uniform(4.5, 7.5) if self.hbeag_positive else 10 ** r.uniform(1.3, 4)
            return round(number), f"{round(number)}"
        else:
            raise KeyError(key)
        digits = 1 if key in ("hba1c", "uric_acid", "bun", "afp", "egfr") else 0
        if key == "creatinine":
            digits = 2
        number = round(number, digits)
        text = f"{number:.{digits}f}"
        return (int(number) if digits == 0 else number), text

    def number(self, key: str, day: dt.date) -> float:
        """The number of a test that always reports one (not urine protein's text)."""
        number, text = self.value(key, day)
        if number is None:
            raise ValueError(f"{key} reports text, not a number: {text}")
        return number

    def measurement(self, day: dt.date) -> dict[str, float]:
        """What a preventive check or a home measurement finds on this day."""
        r = self.rng
        weight = self.bmi * (self.height / 100) ** 2 * r.uniform(0.97, 1.03)
        systolic = self.systolic * r.uniform(0.94, 1.06)
        return {
            "height": round(self.height, 1),
            "weight": round(weight, 1),
            "bmi": round(weight / (self.height / 100) ** 2, 1),
            "waist": round(
                self.bmi * 3.1 * r.uniform(0.95, 1.05) + (4 if self.sex == "M" else 0), 1
            ),
            "systolic": round(systolic),
            "diastolic": round(systolic * r.uniform(0.58, 0.68)),
            "heart_rate": round(r.uniform(60, 92)),
            "fasting_glucose": round(self.glucose * r.uniform(0.93, 1.07)),
        }
