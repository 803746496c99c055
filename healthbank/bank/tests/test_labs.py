"""Test results, imaging and pathology reports, discharge summaries and adult preventive care."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from healthbank.core.rocdate import to_roc
from healthbank.people.models import Person
from healthbank.records.models import (
    CheckResult,
    DischargeSummary,
    ImagingReport,
    LabResult,
    PreventiveCheck,
)
from healthbank.records.rules import record_window
from healthbank.records.selectors.labs import latest_results
from tests.fixtures.personas import CHANG, CHEN, CHEN_WIFE, LEE, LIN, LIN_DAUGHTER, WU

pytestmark = pytest.mark.django_db

TC, HDL, HBEAG, EGFR = "09001C", "09043C", "14035C", "EGFR"
LIST_PAGES = (
    "bank:glucose_lipids",
    "bank:other_labs",
    "bank:reports",
    "bank:discharge_summaries",
    "bank:preventive",
)


def english(client):
    client.cookies["django_language"] = "en"
    return client


def page(client, name: str, *args, **query) -> str:
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


def row(html: str, code: str) -> str:
    """The table row of one lab item."""
    match = re.search(rf'<tr data-item="{code}">(.*?)</tr>', html, re.S)
    assert match, code
    return match.group(1)


def history(person: Person, code: str) -> list[LabResult]:
    window = record_window(timezone.localdate())
    return list(
        LabResult.objects.filter(
            person=person, item_id=code, collected_on__range=(window.start, window.end)
        ).order_by("-collected_on", "-id")
    )


def chart_spec(html: str, chart_id: str) -> dict:
    match = re.search(rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', html)
    assert match, chart_id
    return json.loads(match.group(1))


def test_glucose_lipids_show_latest_and_previous_result_with_dates(client, sign_in):
    chen = sign_in(english(client), CHEN)
    latest, previous = history(chen, TC)[:2]
    tc = row(page(client, "bank:glucose_lipids"), TC)
    assert f"{latest.value_text} mg/dL" in tc and latest.collected_on.isoformat() in tc
    assert f"{previous.value_text} mg/dL" in tc and previous.collected_on.isoformat() in tc
    change = latest.value - previous.value
    assert f"{'+' if change > 0 else ''}{change.normalize():f}" in tc
    assert reverse("bank:lab_trend", args=[TC]) in tc


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("No earlier result", "Same", "Changed")),
        ("zh-hant", ("無前次結果", "相同", "有變化")),
    ],
)
def test_change_column_says_first_same_or_changed(client, sign_in, language, words):
    client.cookies["django_language"] = language
    chen = sign_in(client, CHEN)
    first, same, changed = words
    latest, previous, *older = history(chen, TC)
    shown = latest.collected_on.isoformat() if language == "en" else to_roc(latest.collected_on)
    tc = " ".join(row(page(client, "bank:glucose_lipids"), TC).split())
    assert f'<td><time datetime="{latest.collected_on.isoformat()}">{shown}</time></td>' in tc
    LabResult.objects.filter(pk__in=[latest.pk, previous.pk]).update(
        value=None, value_text="Positive"
    )
    assert f"<td>{same}</td>" in "".join(row(page(client, "bank:glucose_lipids"), TC).split())
    LabResult.objects.filter(pk=previous.pk).update(value_text="Negative")
    assert f"<td>{changed}</td>" in "".join(row(page(client, "bank:glucose_lipids"), TC).split())
    LabResult.objects.filter(pk__in=[previous.pk, *(r.pk for r in older)]).delete()
    tc = row(page(client, "bank:glucose_lipids"), TC)
    assert f'<span class="lab-muted">{first}</span>' in tc


def test_out_of_range_value_is_marked_in_text_not_only_colour(client, sign_in):
    chen = sign_in(english(client), CHEN)
    html = page(client, "bank:glucose_lipids")
    latest_tc = history(chen, TC)[0]
    assert latest_tc.value > 199  # above the reference range (<200 mg/dL)
    cell = row(html, TC).split("</td>")[1]
    assert "out-of-range" in cell and "High ↑" in cell
    hdl = history(chen, HDL)
    low = next(r for r in hdl if r.flag == LabResult.Flag.LOW)
    assert "Low ↓" in page(client, "bank:lab_trend", HDL) and low.value_text


def test_chart_spec_has_the_persons_values_and_the_reference_range(client, sign_in):
    chen = sign_in(english(client), CHEN)
    results = history(chen, TC)[::-1]
    spec = chart_spec(page(client, "bank:glucose_lipids"), f"chart-{TC}")
    assert spec["type"] == "line"
    assert spec["labels"] == [r.collected_on.isoformat() for r in results]
    assert spec["datasets"][0]["data"] == [float(r.value) for r in results]
    assert spec["datasets"][1]["data"] == [199.0] * len(results)  # <200 mg/dL

    spec = chart_spec(page(client, "bank:lab_trend", TC), "lab-trend-chart")
    assert spec["datasets"][0]["data"] == [float(r.value) for r in results]


def test_trend_page_lists_every_result_newest_first_with_provider(client, sign_in):
    chen = sign_in(english(client), CHEN)
    results = history(chen, TC)
    html = page(client, "bank:lab_trend", TC)
    dates = re.findall(r'<time datetime="([\d-]+)">', html)
    assert dates == [r.collected_on.isoformat() for r in results]
    assert results[0].provider.name in html


def test_trend_page_of_unknown_or_missing_item_is_an_empty_state(client, sign_in):
    sign_in(english(client), CHEN)
    assert 'class="empty"' in page(client, "bank:lab_trend", "NO-SUCH")
    html = page(client, "bank:lab_trend", "09006C")  # HbA1c: 陳志明 has none
    assert "You have no Haemoglobin A1c results" in html and "<canvas" not in html


def test_other_labs_grouped_by_panel_with_previous_value(client, sign_in):
    chang = sign_in(english(client), CHANG)
    latest, previous = history(chang, EGFR)[:2]
    html = page(client, "bank:other_labs")
    assert "Kidney function" in html and "Blood glucose and lipids" not in html
    egfr = row(html, EGFR)
    assert latest.value_text in egfr and previous.value_text in egfr
    assert previous.collected_on.isoformat() in egfr and "Low ↓" in egfr
    assert TC not in html  # lipids are on their own page


def test_qualitative_result_shown_as_text_with_its_flag(client, sign_in):
    lee = sign_in(english(client), LEE)
    hbeag = history(lee, HBEAG)[0]
    cell = row(page(client, "bank:other_labs"), HBEAG)
    assert hbeag.value_text in cell and "Abnormal" in cell
    assert "<canvas" not in page(client, "bank:lab_trend", HBEAG)  # no numbers to draw


def test_reports_filter_by_kind(client, sign_in):
    wife = sign_in(english(client), CHEN_WIFE)
    reports = ImagingReport.objects.filter(person=wife)
    imaging = reports.get(kind=ImagingReport.Kind.IMAGING)
    pathology = reports.get(kind=ImagingReport.Kind.PATHOLOGY)

    html = page(client, "bank:reports")
    assert f'data-report="{imaging.pk}"' in html and f'data-report="{pathology.pk}"' in html
    html = page(client, "bank:reports", kind="pathology")
    assert f'data-report="{imaging.pk}"' not in html and f'data-report="{pathology.pk}"' in html
    assert pathology.impression in html and "<details" in html
    html = page(client, "bank:reports", kind="imaging")
    assert f'data-report="{imaging.pk}"' in html and f'data-report="{pathology.pk}"' not in html
    html = page(client, "bank:reports", kind="x-ray", sort="nonsense")  # ignored
    assert f'data-report="{imaging.pk}"' in html and f'data-report="{pathology.pk}"' in html


def test_reports_sort_by_date_both_ways(client, sign_in):
    lee = sign_in(english(client), LEE)
    ids = list(
        ImagingReport.objects.filter(person=lee)
        .order_by("examined_on")
        .values_list("pk", flat=True)
    )
    assert len(ids) > 1

    def order(**query):
        return [
            int(pk)
            for pk in re.findall(r'data-report="(\d+)"', page(client, "bank:reports", **query))
        ]

    assert order() == ids[::-1]
    assert order(sort="date") == ids


def test_discharge_summaries_list_and_detail(client, sign_in):
    wife = sign_in(english(client), CHEN_WIFE)
    summary = DischargeSummary.objects.get(person=wife)
    html = page(client, "bank:discharge_summaries")
    assert summary.diagnoses in html and summary.provider.name in html
    assert reverse("bank:discharge_summary", args=[summary.pk]) in html
    html = page(client, "bank:discharge_summary", summary.pk)
    for text in (summary.chief_complaint, summary.course, summary.discharge_plan):
        assert text in html


def test_discharge_summary_of_someone_else_is_404(client, sign_in, outsider):
    wife = sign_in(client, CHEN_WIFE)
    summary = DischargeSummary.objects.get(person=wife)
    url = reverse("bank:discharge_summary", args=[summary.pk])
    assert outsider.get(url).status_code == 404
    sign_in(client, CHEN)  # her husband too
    assert client.get(url).status_code == 404
    assert client.get(reverse("bank:discharge_summary", args=[999999])).status_code == 404


def test_preventive_shows_the_latest_two_checks_side_by_side(client, sign_in):
    chen = sign_in(english(client), CHEN)
    checks = list(PreventiveCheck.objects.filter(person=chen).order_by("-checked_on"))
    assert len(checks) > 2
    html = page(client, "bank:preventive")
    dates = re.findall(r'<time datetime="([\d-]+)">', html)
    assert dates == [checks[0].checked_on.isoformat(), checks[1].checked_on.isoformat()]
    assert checks[2].checked_on.isoformat() not in html
    assert "Latest check" in html and "Previous check" in html
    assert checks[0].provider.name in html and checks[0].provider.phone in html
    assert f'<td class="number">{checks[0].ldl}</td>' in html
    assert checks[0].lipid_result == CheckResult.ABNORMAL
    assert 'check-abnormal"><span class="out-of-range">! Abnormal</span>' in html


def test_preventive_in_chinese_uses_roc_dates(client, sign_in):
    chen = sign_in(client, CHEN)
    latest = PreventiveCheck.objects.filter(person=chen).latest("checked_on")
    assert to_roc(latest.checked_on) in page(client, "bank:preventive")


@pytest.mark.parametrize("name", LIST_PAGES)
def test_empty_state_for_a_person_without_records(client, sign_in, name):
    sign_in(english(client), WU)
    html = page(client, name)
    assert 'class="empty"' in html and "<table" not in html


@pytest.mark.parametrize(
    ("who", "name"),
    [
        (CHEN, "bank:glucose_lipids"),
        (CHANG, "bank:other_labs"),
        (LEE, "bank:reports"),
        (CHEN_WIFE, "bank:discharge_summaries"),
        (CHEN, "bank:preventive"),
    ],
)
def test_outsider_never_sees_the_owners_rows(client, sign_in, outsider, who, name):
    sign_in(client, who)
    assert "<table" in page(client, name)
    other = outsider.get(reverse(name)).content.decode()
    assert "<table" not in other and 'class="empty"' in other


def test_outsider_trend_page_of_the_owners_item_is_empty(client, sign_in, outsider):
    chen = sign_in(client, CHEN)
    html = english(outsider).get(reverse("bank:lab_trend", args=[TC])).content.decode()
    assert "You have no Total cholesterol results" in html
    assert history(chen, TC)[0].provider.name not in html


def test_parent_sees_the_childs_pages(client, sign_in):
    sign_in(english(client), LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    client.post(reverse("bank:switch"), {"person": daughter.pk})
    for name in LIST_PAGES:
        html = page(client, name)
        assert daughter.name in html and 'class="empty"' in html


@pytest.mark.parametrize(
    ("who", "name", "args"),
    [
        (CHANG, "bank:glucose_lipids", ()),
        (CHANG, "bank:other_labs", ()),
        (CHANG, "bank:lab_trend", (EGFR,)),
        (LEE, "bank:reports", ()),
        (CHEN_WIFE, "bank:discharge_summaries", ()),
        (CHEN, "bank:preventive", ()),
    ],
)
def test_pages_use_a_bounded_number_of_queries(
    client, sign_in, django_assert_max_num_queries, who, name, args
):
    sign_in(client, who)
    with django_assert_max_num_queries(12):
        assert client.get(reverse(name, args=args)).status_code == 200


def test_discharge_summary_detail_uses_a_bounded_number_of_queries(
    client, sign_in, django_assert_max_num_queries
):
    wife = sign_in(client, CHEN_WIFE)
    pk = DischargeSummary.objects.get(person=wife).pk
    with django_assert_max_num_queries(12):
        assert client.get(reverse("bank:discharge_summary", args=[pk])).status_code == 200


def test_latest_results_is_one_query_per_call(sign_in, django_assert_num_queries):
    chang = Person.objects.get(national_id=CHANG)
    window = record_window(timezone.localdate())
    with django_assert_num_queries(1):
        latest = latest_results(chang, [EGFR, "12111C", "09006C", "NO-SUCH"], window)
    assert set(latest) == {EGFR, "12111C", "09006C"}
    assert latest[EGFR].pk == history(chang, EGFR)[0].pk
    assert latest_results(Person.objects.get(national_id=WU), [EGFR], window) == {}


@pytest.mark.parametrize("name", [*LIST_PAGES, "bank:lab_trend"])
def test_query_count_does_not_grow_with_the_rows(client, sign_in, outsider, name):
    args = (EGFR,) if name == "bank:lab_trend" else ()
    sign_in(client, CHANG)  # three years of kidney results
    client.get(reverse(name, args=args))  # warm the session
    outsider.get(reverse(name, args=args))

    def count(who) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert who.get(reverse(name, args=args)).status_code == 200
        return len(queries)

    assert count(client) == count(outsider)
