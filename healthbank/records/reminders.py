"""Reminders (貼心叮嚀) of the home page, as pure rules over dates and plain values.

Seed 000, "健康資料-生理量測與貼心叮嚀", 就醫提醒(建議): when to book a dental scaling, when to
collect the next chronic refill and when to see the doctor again, and when the next adult
preventive check is due. Duplicate medication (重複用藥) is not on the seed's page; the
portal warns of it on the home and medication pages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# --- Dental scaling (洗牙) ---------------------------------------------------------------

# Seed: 建議您安排洗牙：105/12/03 起. NHI pays for one scaling every 180 days.
SCALING_INTERVAL_DAYS = 180


def next_scaling(last_scaling: date | None) -> date | None:
    """The first day the next NHI-paid scaling can be booked; None without a past scaling."""
    if last_scaling is None:
        return None
    return last_scaling + timedelta(days=SCALING_INTERVAL_DAYS)


def is_scaling_due(last_scaling: date | None, today: date) -> bool:
    due = next_scaling(last_scaling)
    return due is not None and today >= due


# --- Chronic refill prescriptions (慢性病連續處方箋) ---------------------------------------

# A 慢箋 is dispensed at most three times (the visit and two refills); seed 000's is one.
DEFAULT_REFILLS = 3
# NHI lets a refill be collected in the last 10 days of the current supply; the seed's
# reminder (領藥提醒 105/12/19~105/12/25) suggests the last 7 of them, and its revisit
# (建議回診時間 106/01/18~106/01/25) the 7 days before the whole prescription runs out.
PICK_UP_REMINDER_DAYS = 7
REVISIT_REMINDER_DAYS = 7


@dataclass(frozen=True)
class RefillReminder:
    """When to collect the next refill (None when none is left) and when to revisit."""

    next_refill: int | None
    pick_up_from: date | None
    pick_up_to: date | None
    revisit_from: date
    revisit_to: date


def refill_reminder(
    dispensed_on: date,
    days: int,
    refill_number: int = 1,
    total_refills: int = DEFAULT_REFILLS,
    today: date | None = None,
) -> RefillReminder:
    """領藥提醒 and 建議回診時間 for a 慢箋 dispensed on `dispensed_on` for `days` days.

    `refill_number` counts the dispensings (the one at the visit is 1) and `total_refills`
    is how many the prescription allows. Each supply ends on the day it runs out,
    dispensing + days; later supplies are assumed collected on time.

    - Pick-up of refill k: the 7 days before supply k-1 runs out, [end - 7, end - 1].
    - Revisit: the 7 days before the last supply runs out, up to that day, [end - 7, end].
    - With `today`, refill windows already over are skipped.

    Seed 000: dispensed 105/10/27 for 30 days, refill 1 of 3, seen in early December:
    refill 2's window (105/11/19~11/25) is over, so 領藥提醒 105/12/19~105/12/25 (refill 3,
    supply 2 runs out 12/26) and 建議回診時間 106/01/18~106/01/25 (supply 3 runs out 01/25).
    """
    if days < 1:
        raise ValueError(f"days supplied must be at least 1, not {days}")
    if not 1 <= refill_number <= total_refills:
        raise ValueError(f"refill {refill_number} of {total_refills} does not exist")

    def runs_out(dispensing: int) -> date:
        return dispensed_on + timedelta(days=days * (dispensing - refill_number + 1))

    prescription_end = runs_out(total_refills)
    revisit_from = prescription_end - timedelta(days=REVISIT_REMINDER_DAYS)
    for refill in range(refill_number + 1, total_refills + 1):
        pick_up_to = runs_out(refill - 1) - timedelta(days=1)
        if today is None or pick_up_to >= today:
            pick_up_from = pick_up_to - timedelta(days=PICK_UP_REMINDER_DAYS - 1)
            return RefillReminder(refill, pick_up_from, pick_up_to, revisit_from, prescription_end)
    return RefillReminder(None, None, None, revisit_from, prescription_end)


# --- Adult preventive check (成人預防保健) ------------------------------------------------

# Health Promotion Administration (國民健康署), 成人預防保健服務: from 65 once a year, from 40
# once every 3 years, and (added 1 January 2025) from 30 once every 5 years. The yearly
# checks of polio survivors from 35 and indigenous people from 55 are not modelled.
PREVENTIVE_INTERVAL_YEARS = ((65, 1), (40, 3), (30, 5))  # (from age, every … years)
PREVENTIVE_MIN_AGE = PREVENTIVE_INTERVAL_YEARS[-1][0]


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on `day`."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def next_preventive_check(birth_date: date, last_check: date | None, today: date) -> date:
    """建議下次成人預防保健檢查時間: the first day a paid check is due, never before today.

    Never checked: today, or the 30th birthday if that is later. Otherwise the first day
    that is at least the interval of the age reached on it after the last check: from
    each age band, the later of its birthday and last check + its interval; the earliest
    of these. (A check at 63 is next due on the 65th birthday, a check at 38 at 41.)
    """
    first_eligible = add_years(birth_date, PREVENTIVE_MIN_AGE)
    if last_check is None:
        return max(today, first_eligible)
    due = min(
        max(add_years(last_check, years), add_years(birth_date, from_age))
        for from_age, years in PREVENTIVE_INTERVAL_YEARS
    )
    return max(today, due)


# --- Duplicate medication (重複用藥) -------------------------------------------------------

# Drugs compare at ATC level 4 (chemical/therapeutic/pharmacological subgroup, e.g. C09CA).
ATC_LEVEL4_LENGTH = 5
# Overlaps matter while current: by default only those on or after 90 days before today,
# one chronic prescription's supply (3 × 30 days), are reported.
DUPLICATE_LOOKBACK_DAYS = 90


@dataclass(frozen=True)
class DrugCourse:
    """A drug order as dispensed: it covers `start` to `start + days - 1`.

    `provider` should be the provider that prescribed it, so that a refill collected early
    at a pharmacy does not look like a second prescriber. No ATC (Chinese medicine) is "".
    """

    atc_class: str | None
    atc_name: str
    provider: str
    provider_name: str
    drug_name: str
    start: date
    days: int

    @property
    def end(self) -> date:
        """The last day covered; a course of 0 days still covers the day it was dispensed."""
        return self.start + timedelta(days=max(self.days, 1) - 1)


@dataclass(frozen=True)
class DuplicateMedication:
    """Courses of one ATC level-4 class, from two or more providers, that overlap."""

    atc_class: str
    atc_name: str
    courses: tuple[DrugCourse, ...]
    overlap_from: date
    overlap_to: date

    @property
    def provider_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(course.provider_name for course in self.courses))


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def find_duplicate_medications(
    courses: Iterable[DrugCourse], today: date, since: date | None = None
) -> list[DuplicateMedication]:
    """Same-class courses from different providers whose days overlap within since..today.

    `since` defaults to DUPLICATE_LOOKBACK_DAYS before today; pass `since=today` for what
    overlaps today only. Each course is clipped to the window first, so an overlap that
    ended before `since` is not reported. Overlaps of one provider's own courses are not
    duplicates. Courses joined by cross-provider overlaps form one result, in class order.

    Per class: sort by start and sweep, comparing each course only with those still running
    (a handful at a time), so a person's thousand orders cost about n log n.
    """
    if since is None:
        since = today - timedelta(days=DUPLICATE_LOOKBACK_DAYS)
    by_class: dict[str, list[tuple[date, date, DrugCourse]]] = defaultdict(list)
    for course in courses:
        if not course.atc_class or len(course.atc_class) < ATC_LEVEL4_LENGTH:
            continue
        start, end = max(course.start, since), min(course.end, today)
        if start <= end:
            by_class[course.atc_class[:ATC_LEVEL4_LENGTH]].append((start, end, course))

    found: list[DuplicateMedication] = []
    for atc_class in sorted(by_class):
        spans = sorted(by_class[atc_class], key=lambda span: (span[0], span[1]))
        parent = list(range(len(spans)))  # union-find over courses that overlap
        overlap: dict[int, tuple[date, date]] = {}  # per flagged course: its overlap days
        running: list[int] = []
        for i, (start, end, course) in enumerate(spans):
            running = [j for j in running if spans[j][1] >= start]
            for j in running:
                if spans[j][2].provider == course.provider:
                    continue
                both = (start, min(end, spans[j][1]))
                for k in (i, j):
                    seen = overlap.get(k, both)
                    overlap[k] = (min(seen[0], both[0]), max(seen[1], both[1]))
                parent[_root(parent, i)] = _root(parent, j)
            running.append(i)

        groups: dict[int, list[int]] = defaultdict(list)
        for i in sorted(overlap):
            groups[_root(parent, i)].append(i)
        for members in groups.values():
            found.append(
                DuplicateMedication(
                    atc_class=atc_class,
                    atc_name=spans[members[0]][2].atc_name,
                    courses=tuple(spans[i][2] for i in members),
                    overlap_from=min(overlap[i][0] for i in members),
                    overlap_to=max(overlap[i][1] for i in members),
                )
            )
    return found
