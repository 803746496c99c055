"""The dental page's tooth charts and the surgeries page's body figure: what they mark, how a
tooth or a site filters the list, sorting, empty states, and whose rows they show."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from healthbank.codes.models import Department, Diagnosis, Service
from healthbank.people.models import Person
from healthbank.records.models import Provider, ServiceOrder, Surgery, Visit
from healthbank.records.rules import record_window
from healthbank.records.tests.factories import SurgeryFactory
from tests.fixtures.personas import CHEN, HUANG, LIN, LIN_DAUGHTER, LIN_SON, WU

pytestmark = pytest.mark.django_db

DENTAL = reverse("bank:dental")
SURGERIES = reverse("bank:surgeries")
BAD_VALUES = [
    "99",
    "abc",
    "16'; --",
    "<script>",
    "1" * 500,
    "\x00",
    " ",
    "ABDOMINAL",
    "Head",
    "__all__",
]


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


def page(client, url: str, **query) -> str:
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def marked_teeth(html: str) -> set[str]:
    return set(re.findall(r'<a href="\?tooth=(\d\d)" class="tooth has-visits', html))


def listed(html: str, kind: str = "visit") -> list[int]:
    return [int(pk) for pk in re.findall(rf'<tr data-{kind}="(\d+)"', html)]


def window():
    return record_window(timezone.localdate())


def dental_orders(person: Person):
    w = window()
    return ServiceOrder.objects.filter(
        person=person,
        tooth__isnull=False,
        visit__kind=Visit.Kind.DENTAL,
        visit__visit_date__range=(w.start, w.end),
    )


def dental_visit_ids(person: Person, tooth: str | None = None) -> set[int]:
    w = window()
    visits = Visit.objects.filter(
        person=person, kind=Visit.Kind.DENTAL, visit_date__range=(w.start, w.end)
    )
    if tooth:
        visits = visits.filter(service_orders__tooth=tooth)
    return set(visits.values_list("pk", flat=True))


# ---------------------------------------------------------------------------------------------
# Dental


def test_dental_chart_marks_exactly_the_teeth_with_visits_in_the_period(client, sign_in):
    huang = sign_in(client, HUANG)
    html = page(client, DENTAL)
    expected = set(dental_orders(huang).values_list("tooth", flat=True))
    assert expected and marked_teeth(html) == expected
    # Every permanent and primary tooth is drawn, as a link that filters the list.
    assert len(re.findall(r'<a href="\?tooth=\d\d" class="tooth', html)) == 52


def test_dental_tooth_label_names_the_tooth_and_counts_its_visits(client, sign_in):
    huang = sign_in(client, HUANG)
    row = (
        dental_orders(huang)
        .values("tooth", "tooth__name_en")
        .annotate(visits=Count("visit", distinct=True))
        .order_by("-visits", "tooth")
        .first()
    )
    html = page(client, DENTAL)
    n = row["visits"]
    label = f"{row['tooth']} {row['tooth__name_en']}: {n} dental visit{'s' if n > 1 else ''}"
    assert f'aria-label="{label}"' in html


def test_dental_lists_every_dental_visit_of_the_period_newest_first(client, sign_in):
    huang = sign_in(client, HUANG)
    html = page(client, DENTAL)
    ids = listed(html)
    assert set(ids) == dental_visit_ids(huang)
    dates = list(Visit.objects.filter(pk__in=ids).values_list("pk", "visit_date"))
    by_pk = dict(dates)
    assert [by_pk[pk] for pk in ids] == sorted(by_pk.values(), reverse=True)
    latest = Visit.objects.select_related("primary_diagnosis", "provider").get(pk=ids[0])
    assert latest.primary_diagnosis.name_en in html and latest.provider.name in html
    assert f'datetime="{latest.visit_date.isoformat()}"' in html
    detail = reverse("bank:visit", args=[latest.pk])
    assert f'<a href="{detail}" hx-get="{detail}"' in html
    assert 'id="detail-dialog"' in html


def test_tooth_filter_lists_only_visits_with_an_order_on_that_tooth(client, sign_in):
    huang = sign_in(client, HUANG)
    tooth = dental_orders(huang).values_list("tooth", flat=True).first()
    html = page(client, DENTAL, tooth=tooth)
    assert set(listed(html)) == dental_visit_ids(huang, tooth)
    assert len(listed(html)) < len(dental_visit_ids(huang))
    assert re.search(rf'<a href="\?tooth={tooth}" class="tooth[^"]* selected"', html)
    assert f'<option value="{tooth}" selected>' in html


def test_each_dental_row_lists_the_teeth_treated(client, sign_in):
    huang = sign_in(client, HUANG)
    order = dental_orders(huang).select_related("visit").first()
    teeth = sorted(
        set(dental_orders(huang).filter(visit=order.visit).values_list("tooth", flat=True))
    )
    html = page(client, DENTAL)
    row = re.search(rf'<tr data-visit="{order.visit_id}">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<abbr[^>]*>(\d\d)</abbr>", row) == teeth


def test_tooth_without_visits_shows_an_empty_list_not_an_error(client, sign_in):
    huang = sign_in(client, HUANG)
    unused = next(
        code
        for code in ("11", "18", "28", "38", "48", "51", "85")
        if not dental_visit_ids(huang, code)
    )
    html = page(client, DENTAL, tooth=unused)
    assert listed(html) == []
    assert f"No dental visit in this period had treatment on tooth {unused}" in html


@pytest.mark.parametrize(
    "sort", ["points", "-points", "copayment", "date", "provider", "diagnosis"]
)
def test_dental_list_sorts_by_the_chosen_column(client, sign_in, sort):
    huang = sign_in(client, HUANG)
    ids = listed(page(client, DENTAL, sort=sort))
    field = {
        "date": "visit_date",
        "provider": "provider__name",
        "diagnosis": "primary_diagnosis__name_en",
    }
    key = field.get(sort.lstrip("-"), sort.lstrip("-"))
    values = dict(Visit.objects.filter(pk__in=ids).values_list("pk", key))
    shown = [values[pk] for pk in ids]
    assert set(ids) == dental_visit_ids(huang)
    assert shown == sorted(shown, reverse=sort.startswith("-"))


def test_sorting_keeps_the_tooth_filter(client, sign_in):
    huang = sign_in(client, HUANG)
    tooth = dental_orders(huang).values_list("tooth", flat=True).first()
    html = page(client, DENTAL, tooth=tooth, sort="points")
    assert set(listed(html)) == dental_visit_ids(huang, tooth)
    assert f"tooth={tooth}" in re.search(r'<th scope="col"[^>]*><a href="([^"]+)"', html).group(1)


@pytest.mark.parametrize("value", BAD_VALUES)
def test_bad_tooth_values_show_every_visit(client, sign_in, value):
    huang = sign_in(client, HUANG)
    html = page(client, DENTAL, tooth=value, sort=value)
    assert set(listed(html)) == dental_visit_ids(huang)


def test_unknown_tooth_is_explained(client, sign_in):
    sign_in(client, HUANG)
    assert "There is no tooth “99”; all teeth are shown." in page(client, DENTAL, tooth="99")


def test_dental_empty_state_for_a_person_without_records(client, sign_in):
    sign_in(client, WU)
    html = page(client, DENTAL)
    assert "There are no dental visits in this period." in html
    assert marked_teeth(html) == set() and listed(html) == []
    w = window()
    assert f"Data period: {w.start.isoformat()} to {w.end.isoformat()}." in html


def test_dental_page_uses_a_bounded_number_of_queries(
    client, sign_in, django_assert_max_num_queries
):
    huang = sign_in(client, HUANG)
    tooth = dental_orders(huang).values_list("tooth", flat=True).first()
    client.get(DENTAL)  # the session's first request
    with django_assert_max_num_queries(14):
        assert client.get(DENTAL).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(DENTAL, {"tooth": tooth, "sort": "diagnosis"}).status_code == 200


def test_outsider_does_not_see_the_owners_dental_visits(client, sign_in, outsider):
    huang = sign_in(client, HUANG)
    tooth = dental_orders(huang).values_list("tooth", flat=True).first()
    for query in ({}, {"tooth": tooth}):
        response = outsider.get(DENTAL, query)
        assert response.status_code == 200
        html = response.content.decode()
        assert listed(html) == [] and marked_teeth(html) == set()
        assert huang.name not in html


@pytest.mark.parametrize("child_id", [LIN_DAUGHTER, LIN_SON])
def test_parent_sees_a_childs_dental_page_with_the_child_chart_first(client, sign_in, child_id):
    mother = sign_in(client, LIN)
    child = Person.objects.get(national_id=child_id)
    client.post(reverse("bank:switch"), {"person": child.pk})
    html = page(client, DENTAL)
    assert set(listed(html)) == dental_visit_ids(child)
    assert marked_teeth(html) == set(dental_orders(child).values_list("tooth", flat=True))
    assert set(listed(html)).isdisjoint(dental_visit_ids(mother))
    assert html.index('id="teeth-primary-title"') < html.index('id="teeth-permanent-title"')


def test_adult_sees_the_adult_chart_first(client, sign_in):
    sign_in(client, LIN)
    html = page(client, DENTAL)
    assert html.index('id="teeth-permanent-title"') < html.index('id="teeth-primary-title"')


# ---------------------------------------------------------------------------------------------
# Surgeries


def add_surgery(person: Person, service: str, site: str, day: dt.date, n: int) -> Surgery:
    """An inpatient stay with one surgery (the synthetic records give few people one)."""
    return SurgeryFactory(
        visit__person=person,
        visit__provider=Provider.objects.filter(kind=Provider.Kind.MEDICAL_CENTRE).first(),
        visit__visit_date=day,
        visit__discharge_date=day + dt.timedelta(days=3),
        visit__department=Department.objects.first(),
        visit__primary_diagnosis=Diagnosis.objects.first(),
        visit__copayment=1000 + n,
        visit__points=10000 - n,
        visit__card_sequence=f"{n:04d}",
        service=Service.objects.get(pk=service),
        body_site_id=site,
    )


@pytest.fixture
def operated(personas):
    """陳志明 with an appendectomy and a knee replacement in the period and one long before."""
    chen = Person.objects.get(national_id=CHEN)
    today = timezone.localdate()
    appendix = add_surgery(chen, "74004B", "APPENDIX", today - dt.timedelta(days=400), 1)
    knee = add_surgery(chen, "64164B", "KNEE", today - dt.timedelta(days=30), 2)
    old = add_surgery(chen, "74004B", "APPENDIX", today - dt.timedelta(days=365 * 5), 3)
    return {"person": chen, "appendix": appendix, "knee": knee, "old": old}


def surgery_ids(person: Person) -> set[int]:
    w = window()
    return set(
        Surgery.objects.filter(person=person, performed_on__range=(w.start, w.end)).values_list(
            "pk", flat=True
        )
    )


def marked_regions(html: str) -> dict[str, int]:
    found = re.findall(
        r'<a href="\?site=(\w+)" class="region[^"]*has-surgeries[^"]*".*?'
        r"<text[^>]*>(\d+)</text>",
        html,
        re.S,
    )
    return {region: int(count) for region, count in found}


def test_body_figure_marks_regions_with_their_number_of_surgeries(client, sign_in, operated):
    sign_in(client, CHEN)
    html = page(client, SURGERIES)
    w = window()
    expected = dict(
        Surgery.objects.filter(person=operated["person"], performed_on__range=(w.start, w.end))
        .values_list("body_site__region")
        .annotate(n=Count("id"))
    )
    assert marked_regions(html) == expected
    assert expected["abdomen"] >= 1 and expected["lower_limb"] >= 1
    assert "Male" in html  # the figure is 陳志明's sex's


def test_surgeries_list_the_periods_surgeries_with_their_visit(client, sign_in, operated):
    sign_in(client, CHEN)
    html = page(client, SURGERIES)
    ids = listed(html, "surgery")
    assert set(ids) == surgery_ids(operated["person"])
    assert operated["old"].pk not in ids
    knee = operated["knee"]
    row = re.search(rf'<tr data-surgery="{knee.pk}">(.*?)</tr>', html, re.S).group(1)
    for value in (
        knee.visit.visit_date.isoformat(),
        knee.visit.discharge_date.isoformat(),
        knee.visit.provider.name,
        "Total knee replacement",
        "Knee",
        f"{knee.visit.copayment:,}",  # 1,002: thousands grouped
        f"{knee.visit.points:,}",
        f'hx-get="{reverse("bank:visit", args=[knee.visit_id])}"',
    ):
        assert value in row


@pytest.mark.parametrize(
    ("language", "operated_on", "shown"),
    [("en", "operated on {iso}", "{iso}"), ("zh-hant", "手術日期 {roc}", "{roc}")],
)
def test_surgery_row_says_when_it_was_done_in_the_readers_calendar(
    client, sign_in, operated, language, operated_on, shown
):
    client.cookies["django_language"] = language
    sign_in(client, CHEN)
    html = page(client, SURGERIES)
    knee = operated["knee"]
    row = re.search(rf'<tr data-surgery="{knee.pk}">(.*?)</tr>', html, re.S).group(1)
    day, stay = knee.performed_on, knee.visit
    roc = f"{day.year - 1911}/{day:%m/%d}"
    assert f'<span class="muted">{operated_on.format(iso=day.isoformat(), roc=roc)}</span>' in row
    date = f"{stay.visit_date.year - 1911}/{stay.visit_date:%m/%d}"
    text = shown.format(iso=stay.visit_date.isoformat(), roc=date)
    assert f'<time datetime="{stay.visit_date.isoformat()}">{text}</time></a>' in row


@pytest.mark.parametrize(
    ("site", "expected"),
    [("abdomen", "appendix"), ("APPENDIX", "appendix"), ("KNEE", "knee"), ("lower_limb", "knee")],
)
def test_site_filter_lists_only_surgeries_there(client, sign_in, operated, site, expected):
    sign_in(client, CHEN)
    html = page(client, SURGERIES, site=site)
    shown = set(listed(html, "surgery"))
    assert operated[expected].pk in shown
    assert all(
        s.body_site_id == site or s.body_site.region == site
        for s in Surgery.objects.filter(pk__in=shown).select_related("body_site")
    )
    assert f'<option value="{site}" selected>' in html


def test_site_without_surgeries_shows_an_empty_list(client, sign_in, operated):
    sign_in(client, CHEN)
    html = page(client, SURGERIES, site="head")
    assert listed(html, "surgery") == []
    assert "No surgery in this period was on: Head and neck." in html


@pytest.mark.parametrize("sort", ["points", "-points", "date", "-date", "site", "service"])
def test_surgeries_sort_by_the_chosen_column(client, sign_in, operated, sort):
    sign_in(client, CHEN)
    ids = listed(page(client, SURGERIES, sort=sort), "surgery")
    field = {
        "points": "visit__points",
        "date": "visit__visit_date",
        "site": "body_site__name_en",
        "service": "service__name_en",
    }[sort.lstrip("-")]
    values = dict(Surgery.objects.filter(pk__in=ids).values_list("pk", field))
    shown = [values[pk] for pk in ids]
    assert len(ids) >= 2 and shown == sorted(shown, reverse=sort.startswith("-"))


@pytest.mark.parametrize("value", BAD_VALUES)
def test_bad_site_values_show_every_surgery(client, sign_in, operated, value):
    sign_in(client, CHEN)
    html = page(client, SURGERIES, site=value, sort=value)
    assert set(listed(html, "surgery")) == surgery_ids(operated["person"])


def test_surgeries_empty_state_for_a_person_without_records(client, sign_in):
    sign_in(client, WU)
    html = page(client, SURGERIES)
    assert "There are no surgeries in this period." in html
    assert marked_regions(html) == {} and listed(html, "surgery") == []
    assert "Female" in html


def test_surgeries_page_uses_a_bounded_number_of_queries(
    client, sign_in, operated, django_assert_max_num_queries
):
    sign_in(client, CHEN)
    client.get(SURGERIES)
    with django_assert_max_num_queries(14):
        assert client.get(SURGERIES).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(SURGERIES, {"site": "abdomen", "sort": "site"}).status_code == 200


def test_outsider_does_not_see_the_owners_surgeries(sign_in, outsider, operated):
    for query in ({}, {"site": "abdomen"}, {"site": "KNEE"}):
        html = outsider.get(SURGERIES, query).content.decode()
        assert listed(html, "surgery") == [] and marked_regions(html) == {}
        assert "Total knee replacement" not in html
