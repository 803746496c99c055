"""Monthly NHI premium of an insured person (保險費), by the NHI Act's shares.

Figures for 2024: premium rate 5.17%; the insured's share of the premium is 30% in
category 1 (employees), 60% in category 2 (union members) and 30% in category 3
(farmers); the government pays all of categories 4 and 5; category 6 (regional
population) pays a fixed NT$826. Dependants pay the same as the insured, counted up
to three.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PREMIUM_RATE = Decimal("0.0517")
INSURED_SHARE = {1: Decimal("0.30"), 2: Decimal("0.60"), 3: Decimal("0.30")}
REGIONAL_PREMIUM = 826  # category 6, per person per month
MAX_DEPENDANTS_COUNTED = 3
# The lowest grades of the insured-amount table (投保金額分級表), 2024, and the highest.
INSURED_AMOUNT_GRADES = (
    27470, 27600, 28800, 30300, 31800, 33300, 34800, 36300, 38200, 40100, 42000, 43900,
    45800, 48200, 50600, 53000, 55400, 57800, 60800, 63800, 66800, 69800, 72800, 76500,
    80200, 83900, 87600, 92100, 96600, 101100, 105600, 110100, 115500, 120900, 126300,
    131700, 137100, 142500, 147900, 150000, 156400, 162800, 169200, 175600, 182000,
    189500, 197000, 204500, 212000, 219500,
)  # fmt: skip
MINIMUM_INSURED_AMOUNT = INSURED_AMOUNT_GRADES[0]


def monthly_premium(category: int, insured_amount: int, dependants: int) -> int:
    """What the insured pays a month for self and dependants, in whole NT$."""
    heads = 1 + min(dependants, MAX_DEPENDANTS_COUNTED)
    if category in (4, 5):
        return 0
    if category in INSURED_SHARE:
        each = (Decimal(insured_amount) * PREMIUM_RATE * INSURED_SHARE[category]).quantize(
            Decimal(1), ROUND_HALF_UP
        )
        return int(each) * heads
    return REGIONAL_PREMIUM * heads
