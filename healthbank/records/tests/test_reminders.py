"""The reminders (貼心叮嚀) of seed 000 and the duplicate-medication warning, at their edges."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from healthbank.records.reminders import (
    SCALING_INTERVAL_DAYS,
    DrugCourse,
    add_years,
    age_on,
    find_duplicate_medications,
    is_scaling_due,
    next_preventive_check,
    next_scaling,
    refill_reminder,
)

# --- Dental scaling ------------------------------------------------------------------------


def test_scaling_due_180_days_after_last() -> None:
    assert SCALING_INTERVAL_DAYS == 180
    assert next_scaling(date(2016, 6, 6)) == date(2016, 12, 3)  # the seed's 105/12/03 起


def test_scaling_not_due_on_day_179() -> None:
    last = date(2024, 1, 10)
    assert not is_scaling_due(last, last + timedelta(days=179))
    assert is_scaling_due(last, last + timedelta(days=180))


def test_no_scaling_reminder_without_a_past_scaling() -> None:
    assert next_scaling(None) is None
    assert not is_scaling_due(None, date(2024, 1, 1))


# --- Chronic refill prescriptions ----------------------------------------------------------

SEED_DISPENSED = date(2016, 10, 27)  # 105/10/27, 30 days, first of three


def test_refill_reminder_matches_the_seed_example() -> None:
    reminder = refill_reminder(SEED_DISPENSED, 30, 1, 3, today=date(2016, 12, 3))
    assert reminder.next_refill == 3
    assert (reminder.pick_up_from, reminder.pick_up_to) == (date(2016, 12, 19), date(2016, 12, 25))
    assert (reminder.revisit_from, reminder.revisit_to) == (date(2017, 1, 18), date(2017, 1, 25))


def test_next_refill_is_collected_in_the_last_seven_days_of_the_supply() -> None:
    reminder = refill_reminder(SEED_DISPENSED, 30)
    assert reminder.next_refill == 2
    # Supply 1 covers 10/27..11/25 and runs out on 11/26.
    assert (reminder.pick_up_from, reminder.pick_up_to) == (date(2016, 11, 19), date(2016, 11, 25))


def test_refill_window_stays_shown_on_its_last_day() -> None:
    reminder = refill_reminder(SEED_DISPENSED, 30, today=date(2016, 11, 25))
    assert reminder.next_refill == 2


def test_refill_window_moves_on_the_day_after_it_closes() -> None:
    reminder = refill_reminder(SEED_DISPENSED, 30, today=date(2016, 11, 26))
    assert reminder.next_refill == 3


def test_second_dispensing_points_to_the_third() -> None:
    reminder = refill_reminder(date(2016, 11, 24), 28, refill_number=2)
    assert reminder.next_refill == 3
    assert reminder.pick_up_to == date(2016, 12, 21)
    assert reminder.pick_up_from == date(2016, 12, 15)
    assert reminder.revisit_to == date(2017, 1, 19)


def test_last_refill_has_no_pick_up_but_a_revisit() -> None:
    reminder = refill_reminder(date(2016, 12, 20), 30, refill_number=3)
    assert reminder.next_refill is None
    assert reminder.pick_up_from is None and reminder.pick_up_to is None
    assert (reminder.revisit_from, reminder.revisit_to) == (date(2017, 1, 12), date(2017, 1, 19))


def test_no_pick_up_once_every_window_is_over() -> None:
    reminder = refill_reminder(SEED_DISPENSED, 30, today=date(2016, 12, 26))
    assert reminder.next_refill is None
    assert reminder.revisit_to == date(2017, 1, 25)


def test_two_refill_prescription_ends_after_two_supplies() -> None:
    reminder = refill_reminder(SEED_DISPENSED, 30, total_refills=2)
    assert reminder.next_refill == 2
    assert reminder.revisit_to == date(2016, 12, 26)


@pytest.mark.parametrize(("days", "refill", "total"), [(0, 1, 3), (30, 0, 3), (30, 4, 3)])
def test_impossible_refills_are_refused(days: int, refill: int, total: int) -> None:
    with pytest.raises(ValueError):
        refill_reminder(SEED_DISPENSED, days, refill, total)


# --- Adult preventive check ----------------------------------------------------------------

BORN = date(1980, 3, 15)
TODAY = date(2024, 6, 1)


def test_age_counts_whole_years() -> None:
    assert age_on(BORN, date(2010, 3, 14)) == 29
    assert age_on(BORN, date(2010, 3, 15)) == 30


def test_leap_day_birthday_falls_on_28_february() -> None:
    assert add_years(date(2000, 2, 29), 30) == date(2030, 2, 28)
    assert add_years(date(2000, 2, 29), 4) == date(2004, 2, 29)


def test_never_checked_adult_is_due_today() -> None:
    assert next_preventive_check(BORN, None, TODAY) == TODAY


def test_never_checked_29_year_old_is_due_on_30th_birthday() -> None:
    born = date(1995, 1, 10)  # 29 on TODAY
    assert next_preventive_check(born, None, TODAY) == date(2025, 1, 10)


def test_never_checked_person_turning_30_today_is_due_today() -> None:
    assert next_preventive_check(date(1994, 6, 1), None, TODAY) == TODAY


def test_thirties_wait_five_years() -> None:
    born = date(1990, 1, 1)
    assert next_preventive_check(born, date(2021, 5, 1), date(2021, 6, 1)) == date(2026, 5, 1)


def test_check_at_38_is_due_three_years_later_once_40() -> None:
    born = date(1985, 1, 1)
    assert next_preventive_check(born, date(2023, 5, 1), TODAY) == date(2026, 5, 1)


def test_check_at_36_is_due_on_40th_birthday() -> None:
    born = date(1985, 1, 1)
    assert next_preventive_check(born, date(2021, 5, 1), TODAY) == date(2025, 1, 1)


def test_check_at_39_is_due_three_years_later() -> None:
    born = date(1985, 1, 1)
    assert next_preventive_check(born, date(2024, 5, 1), TODAY) == date(2027, 5, 1)


def test_forties_wait_three_years() -> None:
    assert next_preventive_check(BORN, date(2023, 4, 1), TODAY) == date(2026, 4, 1)


def test_check_at_64_is_due_on_65th_birthday_after_a_year() -> None:
    born = date(1960, 3, 1)
    # 64 on 2024-04-01; a year later 65, when checks are yearly.
    assert next_preventive_check(born, date(2024, 4, 1), TODAY) == date(2025, 4, 1)


def test_check_at_63_is_due_on_65th_birthday() -> None:
    born = date(1960, 9, 1)
    assert next_preventive_check(born, date(2024, 4, 1), TODAY) == date(2025, 9, 1)


def test_check_at_61_waits_the_full_three_years_when_65_comes_later() -> None:
    born = date(1962, 9, 1)
    # 61 on 2024-04-01; 65 on 2027-09-01, three years after the check is 2027-04-01.
    assert next_preventive_check(born, date(2024, 4, 1), TODAY) == date(2027, 4, 1)


def test_over_65_is_due_a_year_after_the_last_check() -> None:
    born = date(1950, 1, 1)
    assert next_preventive_check(born, date(2024, 1, 20), TODAY) == date(2025, 1, 20)


def test_overdue_check_is_due_today() -> None:
    assert next_preventive_check(BORN, date(2020, 1, 1), TODAY) == TODAY


def test_check_due_exactly_today_is_today() -> None:
    assert next_preventive_check(BORN, date(2021, 6, 1), TODAY) == TODAY


def test_check_due_tomorrow_is_tomorrow() -> None:
    assert next_preventive_check(BORN, date(2021, 6, 2), TODAY) == date(2024, 6, 2)


# --- Duplicate medication ------------------------------------------------------------------

NOW = date(2024, 6, 30)
ARB = "C09CA"


def _course(
    provider: str, start: date, days: int = 30, atc: str | None = "C09CA01", drug: str = "Losartan"
) -> DrugCourse:
    return DrugCourse(
        atc_class=atc,
        atc_name="Angiotensin II receptor blockers (ARBs), plain",
        provider=provider,
        provider_name=f"Clinic {provider}",
        drug_name=drug,
        start=start,
        days=days,
    )


def test_courses_overlapping_by_one_day_from_two_providers_are_flagged() -> None:
    first = _course("A", date(2024, 6, 1))  # covers 6/1..6/30
    second = _course("B", date(2024, 6, 30))
    [duplicate] = find_duplicate_medications([second, first], today=NOW)
    assert duplicate.atc_class == ARB
    assert duplicate.courses == (first, second)
    assert (duplicate.overlap_from, duplicate.overlap_to) == (date(2024, 6, 30), NOW)
    assert duplicate.provider_names == ("Clinic A", "Clinic B")


def test_adjacent_courses_do_not_overlap() -> None:
    courses = [_course("A", date(2024, 5, 1)), _course("B", date(2024, 5, 31))]
    assert find_duplicate_medications(courses, today=NOW) == []


def test_same_provider_overlap_is_not_a_duplicate() -> None:
    courses = [_course("A", date(2024, 6, 1)), _course("A", date(2024, 6, 10))]
    assert find_duplicate_medications(courses, today=NOW) == []


def test_different_level_4_classes_are_not_duplicates() -> None:
    courses = [_course("A", date(2024, 6, 1)), _course("B", date(2024, 6, 10), atc="C09DA01")]
    assert find_duplicate_medications(courses, today=NOW) == []


def test_different_substances_of_one_level_4_class_are_duplicates() -> None:
    courses = [
        _course("A", date(2024, 6, 1), atc="C09CA01"),
        _course("B", date(2024, 6, 10), atc="C09CA03", drug="Valsartan"),
    ]
    [duplicate] = find_duplicate_medications(courses, today=NOW)
    assert len(duplicate.courses) == 2


def test_three_providers_make_one_warning() -> None:
    courses = [
        _course("A", date(2024, 6, 1)),
        _course("B", date(2024, 6, 5)),
        _course("C", date(2024, 6, 20)),
    ]
    [duplicate] = find_duplicate_medications(courses, today=NOW)
    assert [course.provider for course in duplicate.courses] == ["A", "B", "C"]
    assert (duplicate.overlap_from, duplicate.overlap_to) == (date(2024, 6, 5), NOW)


def test_chinese_medicine_without_atc_is_ignored() -> None:
    courses = [
        _course("A", date(2024, 6, 1), atc=""),
        _course("B", date(2024, 6, 5), atc=""),
        _course("C", date(2024, 6, 5), atc=None),
    ]
    assert find_duplicate_medications(courses, today=NOW) == []


def test_atc_codes_above_level_4_are_ignored() -> None:
    courses = [_course("A", date(2024, 6, 1), atc="C09"), _course("B", date(2024, 6, 5), atc="C09")]
    assert find_duplicate_medications(courses, today=NOW) == []


def test_overlap_before_the_window_is_ignored() -> None:
    # Overlap 2024-03-10..03-30 ended more than 90 days before NOW.
    courses = [_course("A", date(2024, 3, 1)), _course("B", date(2024, 3, 10), days=60)]
    assert find_duplicate_medications(courses, today=NOW) == []


def test_overlap_reaching_into_the_window_is_reported_from_since() -> None:
    since = NOW - timedelta(days=90)  # 2024-04-01
    courses = [_course("A", date(2024, 3, 20)), _course("B", date(2024, 3, 25))]
    [duplicate] = find_duplicate_medications(courses, today=NOW)
    assert (duplicate.overlap_from, duplicate.overlap_to) == (since, date(2024, 4, 18))


def test_since_today_reports_only_current_overlaps() -> None:
    past = [_course("A", date(2024, 6, 1), days=10), _course("B", date(2024, 6, 5), days=10)]
    current = [_course("C", date(2024, 6, 20), atc="A10BA02"), _course("D", date(2024, 6, 25))]
    current.append(_course("E", date(2024, 6, 25), atc="A10BA02"))
    [duplicate] = find_duplicate_medications(past + current, today=NOW, since=NOW)
    assert duplicate.atc_class == "A10BA"
    assert [course.provider for course in duplicate.courses] == ["C", "E"]


def test_future_courses_are_not_counted() -> None:
    courses = [_course("A", date(2024, 6, 1)), _course("B", date(2024, 7, 1))]
    assert find_duplicate_medications(courses, today=NOW) == []


def test_same_provider_course_outside_the_overlap_is_left_out() -> None:
    early = _course("A", date(2024, 5, 1), days=25)  # 5/1..5/25
    bridge = _course("A", date(2024, 5, 20), days=30)  # 5/20..6/18
    other = _course("B", date(2024, 6, 10))
    [duplicate] = find_duplicate_medications([early, bridge, other], today=NOW)
    assert duplicate.courses == (bridge, other)
    assert (duplicate.overlap_from, duplicate.overlap_to) == (date(2024, 6, 10), date(2024, 6, 18))


def test_separate_overlaps_of_one_class_are_separate_warnings() -> None:
    courses = [
        _course("A", date(2024, 4, 1), days=10),
        _course("B", date(2024, 4, 5), days=10),
        _course("A", date(2024, 6, 1)),
        _course("C", date(2024, 6, 15)),
    ]
    first, second = find_duplicate_medications(courses, today=NOW)
    assert [c.provider for c in first.courses] == ["A", "B"]
    assert [c.provider for c in second.courses] == ["A", "C"]
    assert first.courses[0].start == date(2024, 4, 1)


def test_long_history_of_monthly_refills_at_one_clinic_has_no_duplicate() -> None:
    start = date(2021, 7, 1)
    courses = [_course("A", start + timedelta(days=28 * i), days=30) for i in range(1000)]
    assert find_duplicate_medications(courses, today=NOW) == []


def test_zero_day_course_covers_its_dispensing_day() -> None:
    courses = [_course("A", date(2024, 6, 1)), _course("B", date(2024, 6, 30), days=0)]
    [duplicate] = find_duplicate_medications(courses, today=NOW)
    assert duplicate.overlap_to == date(2024, 6, 30)
