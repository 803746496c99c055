"""健康資料: measurements and reminders (生理量測與貼心叮嚀) and vaccinations (預防接種存摺)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from healthbank.people.models import Person
from healthbank.records.models import Measurement, Vaccination
from healthbank.records.selectors.reminders import reminders_for
from tests.fixtures.personas import CHEN, LIN, LIN_DAUGHTER, WU

pytestmark = pytest.mark.django_db

MEASUREMENTS = reverse("bank:measurements")
VACCINATIONS = reverse("bank:vaccinations")


def english(client):
    client.cookies["django_language"] = "en"
    return client


def local(when: dt.datetime) -> str:
    return f"{timezone.localtime(when):%Y-%m-%dT%H:%M}"


def an_hour_ago() -> str:
    return local(timezone.now() - dt.timedelta(hours=1))


def delete_url(pk: int) -> str:
    return reverse("bank:measurement_delete", args=[pk])


# --- Latest values -------------------------------------------------------------------------


def test_owner_sees_latest_value_of_each_kind(client, sign_in):
    chen = sign_in(english(client), CHEN)
    page = client.get(MEASUREMENTS).content.decode()
    assert "My latest measurements" in page
    for kind in (Measurement.Kind.SYSTOLIC, Measurement.Kind.WEIGHT, Measurement.Kind.HEART_RATE):
        latest = Measurement.objects.filter(person=chen, kind=kind).latest("measured_at")
        label = {"systolic": "Systolic pressure", "weight": "Weight", "heart_rate": "Heart rate"}
        found = re.search(rf"<dt>{label[kind]}</dt>\s*<dd><strong>([\d.]+)</strong>", page).group(1)
        assert Decimal(found) == latest.value


def test_bmi_is_computed_from_latest_height_and_weight(client, sign_in):
    sign_in(english(client), WU)
    client.post(MEASUREMENTS, {"measured_at": an_hour_ago(), "height": "159", "weight": "56"})
    page = client.get(MEASUREMENTS).content.decode()
    assert re.search(r"<dt>BMI</dt>\s*<dd><strong>22.2</strong> kg/m²", page)


def test_bmi_uses_a_height_entered_earlier(client, sign_in):
    wu = sign_in(english(client), WU)
    earlier = local(timezone.now() - dt.timedelta(days=3))
    client.post(MEASUREMENTS, {"measured_at": earlier, "height": "170"})
    client.post(MEASUREMENTS, {"measured_at": an_hour_ago(), "weight": "65"})
    page = client.get(MEASUREMENTS).content.decode()
    assert re.search(r"<dt>BMI</dt>\s*<dd><strong>22.5</strong>", page)
    assert Measurement.objects.filter(person=wu).count() == 2


# --- Entering measurements ------------------------------------------------------------------


def test_valid_values_are_saved_for_the_subject_and_shown(client, sign_in):
    wu = sign_in(english(client), WU)
    when = an_hour_ago()
    response = client.post(
        MEASUREMENTS,
        {
            "measured_at": when,
            "weight": "56.4",
            "waist": "71",
            "systolic": "107",
            "diastolic": "71",
            "fasting_glucose": "110",
            "heart_rate": "80",
        },
    )
    assert response.status_code == 302 and response["Location"] == MEASUREMENTS
    saved = {m.kind: m.value for m in Measurement.objects.filter(person=wu)}
    assert saved == {
        "weight": Decimal("56.4"),
        "waist": 71,
        "systolic": 107,
        "diastolic": 71,
        "fasting_glucose": 110,
        "heart_rate": 80,
    }
    [at] = set(Measurement.objects.filter(person=wu).values_list("measured_at", flat=True))
    assert local(at) == when
    page = client.get(MEASUREMENTS).content.decode()
    assert "Saved 6 measurements of" in page
    assert re.search(r"<dt>Fasting blood glucose</dt>\s*<dd><strong>110</strong> mg/dL", page)
    assert 'id="trend-pressure"' in page and 'id="trend-glucose"' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("height", "29.9", "Height must be between 30 and 250 cm."),
        ("height", "251", "Height must be between 30 and 250 cm."),
        ("weight", "0.5", "Weight must be between 1 and 400 kg."),
        ("weight", "401", "Weight must be between 1 and 400 kg."),
        ("waist", "25", "Waist must be between 30 and 250 cm."),
        ("waist", "300", "Waist must be between 30 and 250 cm."),
        ("fasting_glucose", "19", "Fasting blood glucose must be between 20 and 800 mg/dL."),
        ("fasting_glucose", "801", "Fasting blood glucose must be between 20 and 800 mg/dL."),
        ("heart_rate", "19", "Heart rate must be between 20 and 250 beats/min."),
        ("heart_rate", "251", "Heart rate must be between 20 and 250 beats/min."),
    ],
)
def test_out_of_range_value_is_refused_with_its_fields_error(
    client, sign_in, field, value, message
):
    wu = sign_in(english(client), WU)
    response = client.post(MEASUREMENTS, {"measured_at": an_hour_ago(), field: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>' in page
    assert f'name="{field}" value="{value}"' in page  # what was typed is kept
    assert not Measurement.objects.filter(person=wu).exists()


@pytest.mark.parametrize(
    ("systolic", "diastolic", "message"),
    [
        ("49", "40", "Systolic pressure must be between 50 and 300 mmHg."),
        ("301", "80", "Systolic pressure must be between 50 and 300 mmHg."),
        ("120", "29", "Diastolic pressure must be between 30 and 200 mmHg."),
        ("210", "201", "Diastolic pressure must be between 30 and 200 mmHg."),
    ],
)
def test_out_of_range_pressure_is_refused(client, sign_in, systolic, diastolic, message):
    wu = sign_in(english(client), WU)
    page = client.post(
        MEASUREMENTS,
        {"measured_at": an_hour_ago(), "systolic": systolic, "diastolic": diastolic},
    ).content.decode()
    assert message in page
    assert not Measurement.objects.filter(person=wu).exists()


@pytest.mark.parametrize(("systolic", "diastolic"), [("80", "80"), ("70", "90")])
def test_systolic_not_above_diastolic_is_refused(client, sign_in, systolic, diastolic):
    wu = sign_in(english(client), WU)
    page = client.post(
        MEASUREMENTS,
        {
            "measured_at": an_hour_ago(),
            "systolic": systolic,
            "diastolic": diastolic,
            "weight": "60",
        },
    ).content.decode()
    assert "Systolic pressure must be higher than diastolic pressure." in page
    assert "Nothing was saved." in page
    assert not Measurement.objects.filter(person=wu).exists()


@pytest.mark.parametrize("given", ["systolic", "diastolic"])
def test_blood_pressure_needs_both_values(client, sign_in, given):
    wu = sign_in(english(client), WU)
    page = client.post(MEASUREMENTS, {"measured_at": an_hour_ago(), given: "100"}).content.decode()
    assert "Enter both systolic and diastolic pressure, or neither." in page
    assert not Measurement.objects.filter(person=wu).exists()


def test_future_time_is_refused(client, sign_in):
    wu = sign_in(english(client), WU)
    tomorrow = local(timezone.now() + dt.timedelta(days=1))
    page = client.post(MEASUREMENTS, {"measured_at": tomorrow, "weight": "60"}).content.decode()
    assert "The time measured cannot be in the future." in page
    assert f'value="{tomorrow}"' in page
    assert not Measurement.objects.filter(person=wu).exists()


def test_time_before_birth_is_refused(client, sign_in):
    wu = sign_in(english(client), WU)
    page = client.post(
        MEASUREMENTS, {"measured_at": "1990-01-01T08:00", "weight": "60"}
    ).content.decode()
    assert "The time measured cannot be before the date of birth." in page
    assert not Measurement.objects.filter(person=wu).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter at least one measurement."),
        ({"measured_at": ""}, "This field is required."),
        ({"measured_at": "yesterday", "weight": "60"}, "Enter a valid date/time."),
        ({"weight": "sixty"}, "Enter a number."),
        ({"systolic": "120.5", "diastolic": "80"}, "Enter a whole number."),
    ],
)
def test_bad_input_is_explained_and_nothing_saved(client, sign_in, data, message):
    wu = sign_in(english(client), WU)
    response = client.post(MEASUREMENTS, {"measured_at": an_hour_ago(), **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Measurement.objects.filter(person=wu).exists()


def test_parent_enters_a_measurement_for_a_child_and_it_lands_on_the_child(client, sign_in):
    mother = sign_in(english(client), LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    client.post(reverse("bank:switch"), {"person": daughter.pk})
    response = client.post(
        MEASUREMENTS, {"measured_at": an_hour_ago(), "height": "131.5", "weight": "28"}
    )
    assert response.status_code == 302
    assert {m.kind for m in Measurement.objects.filter(person=daughter)} == {"height", "weight"}
    assert not Measurement.objects.filter(person=mother).exists()
    page = client.get(MEASUREMENTS).content.decode()
    assert re.search(r"<dt>Height</dt>\s*<dd><strong>131.5</strong> cm", page)


# --- History, period and deleting ------------------------------------------------------------


def test_history_lists_each_sitting_with_delete_buttons(client, sign_in):
    chen = sign_in(english(client), CHEN)
    latest = Measurement.objects.filter(person=chen).latest("measured_at")
    page = client.get(MEASUREMENTS).content.decode()
    assert "My measurements (Past year), newest first" in page
    assert f'formaction="{delete_url(latest.pk)}"' in page


@pytest.mark.parametrize(
    ("language", "shown", "button"),
    [
        ("en", "{date:%Y-%m-%d %H:%M}", "Delete Heart rate 77 beats/min"),
        ("zh-hant", "{roc}/{date:%m/%d %H:%M}", "刪除心率(心跳數) 77 次/分鐘"),
    ],
)
def test_history_row_shows_the_time_values_and_delete_buttons(
    client, sign_in, language, shown, button
):
    wu = sign_in(client, WU)
    client.post(MEASUREMENTS, {"measured_at": an_hour_ago(), "heart_rate": "77", "weight": "60.5"})
    client.cookies["django_language"] = language
    page = " ".join(client.get(MEASUREMENTS).content.decode().split())
    at = timezone.localtime(Measurement.objects.filter(person=wu).latest("pk").measured_at)
    time = shown.format(date=at, roc=at.year - 1911)
    assert f'<th scope="row"><time datetime="{at.isoformat()}">{time}</time></th>' in page
    assert '<td class="number">60.5</td>' in page and '<td class="number">77</td>' in page
    heart = Measurement.objects.get(person=wu, kind=Measurement.Kind.HEART_RATE)
    assert f'formaction="{delete_url(heart.pk)}">{button}</button>' in page


def test_period_filter_changes_what_is_listed(client, sign_in):
    wu = sign_in(english(client), WU)
    old = timezone.now() - dt.timedelta(days=500)
    client.post(MEASUREMENTS, {"measured_at": local(old), "heart_rate": "77"})
    [row] = Measurement.objects.filter(person=wu)
    assert delete_url(row.pk) not in client.get(MEASUREMENTS).content.decode()
    assert "You have no measurements in this period." in client.get(MEASUREMENTS).content.decode()
    page = client.get(MEASUREMENTS, {"period": "3y"}).content.decode()
    assert delete_url(row.pk) in page and 'id="trend-heart-rate"' in page


def test_bad_period_is_ignored(client, sign_in):
    sign_in(english(client), CHEN)
    response = client.get(MEASUREMENTS, {"period": "forever'"})
    assert response.status_code == 200
    assert "My measurements (Past year), newest first" in response.content.decode()


def test_owner_deletes_a_measurement(client, sign_in):
    chen = sign_in(english(client), CHEN)
    row = Measurement.objects.filter(person=chen).latest("measured_at")
    response = client.post(delete_url(row.pk), {"period": "3m"})
    assert response.status_code == 302 and response["Location"] == MEASUREMENTS + "?period=3m"
    assert not Measurement.objects.filter(pk=row.pk).exists()
    assert "The measurement was deleted." in client.get(MEASUREMENTS).content.decode()


def test_deleting_another_persons_measurement_is_404_and_keeps_it(client, sign_in, outsider):
    chen = Person.objects.get(national_id=CHEN)
    row = Measurement.objects.filter(person=chen).first()
    assert outsider.post(delete_url(row.pk)).status_code == 404
    assert Measurement.objects.filter(pk=row.pk).exists()


def test_parent_cannot_delete_own_measurement_while_viewing_a_child(client, sign_in):
    mother = sign_in(client, LIN)
    [row] = Measurement.objects.bulk_create(
        [Measurement(person=mother, kind="weight", value=60, measured_at=timezone.now())]
    )
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    client.post(reverse("bank:switch"), {"person": daughter.pk})
    assert client.post(delete_url(row.pk)).status_code == 404
    assert Measurement.objects.filter(pk=row.pk).exists()


def test_delete_is_post_only(client, sign_in):
    chen = sign_in(client, CHEN)
    row = Measurement.objects.filter(person=chen).first()
    assert client.get(delete_url(row.pk)).status_code == 405
    assert Measurement.objects.filter(pk=row.pk).exists()


# --- Reminders and links ---------------------------------------------------------------------


def test_measurements_page_shows_the_reminders(client, sign_in):
    chen = sign_in(english(client), CHEN)
    page = client.get(MEASUREMENTS).content.decode()
    scaling = next(r for r in reminders_for(chen, timezone.localdate()) if r.kind == "scaling")
    assert "Friendly reminders" in page
    assert f"from {scaling.start.isoformat()}" in page
    assert "【Family medicine】Essential (primary) hypertension" in page


def test_empty_measurements_page_for_wu(client, sign_in):
    sign_in(english(client), WU)
    page = client.get(MEASUREMENTS).content.decode()
    assert "You have not entered any measurements yet." in page
    assert "You have no measurements in this period." in page
    assert "data-chart" not in page


def test_measurements_page_uses_a_bounded_number_of_queries(
    client, sign_in, django_assert_max_num_queries
):
    sign_in(client, CHEN)
    with django_assert_max_num_queries(16):
        assert client.get(MEASUREMENTS, {"period": "all"}).status_code == 200


# --- Vaccinations ------------------------------------------------------------------------------


def _dates(page: str) -> list[str]:
    return re.findall(r'<td><time datetime="([\d-]+)">', page)


def test_vaccinations_newest_first_by_default(client, sign_in):
    daughter = sign_in(english(client), LIN_DAUGHTER)
    page = client.get(VACCINATIONS).content.decode()
    expected = Vaccination.objects.filter(person=daughter).order_by("-given_on")
    assert len(expected) > 10
    assert _dates(page) == [v.given_on.isoformat() for v in expected]
    assert expected[0].vaccine.name_en in page and expected[0].provider.name in page


def test_vaccinations_sorted_oldest_first(client, sign_in):
    daughter = sign_in(english(client), LIN_DAUGHTER)
    dates = _dates(client.get(VACCINATIONS, {"sort": "date"}).content.decode())
    expected = Vaccination.objects.filter(person=daughter).order_by("given_on")
    assert dates == [v.given_on.isoformat() for v in expected]


@pytest.mark.parametrize("sort", ["code", "-code"])
def test_vaccinations_sorted_by_code_both_ways(client, sign_in, sort):
    daughter = sign_in(english(client), LIN_DAUGHTER)
    page = client.get(VACCINATIONS, {"sort": sort}).content.decode()
    codes = re.findall(r"</time></td>\s*<td>([^<]+)</td>", page)
    expected = sorted(
        Vaccination.objects.filter(person=daughter).values_list("vaccine_id", flat=True),
        reverse=sort.startswith("-"),
    )
    assert codes == expected


def test_bad_sort_falls_back_to_newest_first(client, sign_in):
    daughter = sign_in(english(client), LIN_DAUGHTER)
    page = client.get(VACCINATIONS, {"sort": "-given_on__secret"}).content.decode()
    expected = Vaccination.objects.filter(person=daughter).order_by("-given_on")
    assert _dates(page) == [v.given_on.isoformat() for v in expected]


def test_vaccinations_show_the_seeds_notes(client, sign_in):
    sign_in(english(client), CHEN)
    page = client.get(VACCINATIONS).content.decode()
    assert "02-23959825 ext. 3679" in page
    assert "completed at the end of 2003" in page
    assert "not real-time" in page
    assert "Data period: 2003-01-01 to" in page


def test_parent_sees_the_childs_vaccinations(client, sign_in):
    sign_in(english(client), LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    client.post(reverse("bank:switch"), {"person": daughter.pk})
    page = client.get(VACCINATIONS).content.decode()
    assert len(_dates(page)) == Vaccination.objects.filter(person=daughter).count()


def test_empty_vaccinations_for_wu(outsider):
    page = english(outsider).get(VACCINATIONS).content.decode()
    assert "No vaccinations are on record for you." in page
    assert "<table" not in page


def test_vaccinations_use_a_bounded_number_of_queries(
    client, sign_in, django_assert_max_num_queries
):
    sign_in(client, LIN_DAUGHTER)
    with django_assert_max_num_queries(12):
        assert client.get(VACCINATIONS).status_code == 200


def test_a_wrong_value_is_explained_in_chinese_too(client, sign_in):
    wu = sign_in(client, WU)  # the site's default language
    page = client.post(MEASUREMENTS, {"measured_at": an_hour_ago(), "height": "251"}).content
    page = page.decode()
    assert "資料未儲存，請修正下方標示的數值。" in page
    assert "身高須介於 30 至 250" in page
    assert not Measurement.objects.filter(person=wu).exists()
