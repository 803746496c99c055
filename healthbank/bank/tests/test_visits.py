"""就醫資料: outpatient, inpatient, visit detail, medications and chronic refill pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation

from healthbank.codes.models import Drug
from healthbank.core.rocdate import to_roc
from healthbank.people.models import Person
from healthbank.records.models import DrugOrder, Visit
from healthbank.records.rules import record_window
from healthbank.records.selectors.visits import latest_visits
from healthbank.records.tests.factories import VisitFactory, duplicate_prescriptions
from tests.fixtures.personas import (
    CHEN,
    CHEN_WIFE,
    LIN,
    LIN_DAUGHTER,
    LIN_HUSBAND,
    WU,
)

pytestmark = pytest.mark.django_db

LIST_PAGES = ("western", "tcm", "inpatient", "medications", "refills")


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def _window():
    return record_window(timezone.localdate())


def _visits(person: Person, **filters):
    window = _window()
    return Visit.objects.filter(
        person=person, visit_date__gte=window.start, visit_date__lte=window.end, **filters
    )


def _listed(response) -> list[Visit]:
    return list(response.context["page"].object_list)


# --- Western-medicine outpatient -----------------------------------------------------------


def test_western_lists_the_latest_visit_first_with_its_diagnosis(english, sign_in):
    chen = sign_in(english, CHEN)
    latest = _visits(chen, kind=Visit.Kind.WESTERN).order_by("-visit_date", "-pk").first()
    response = english.get(reverse("bank:western"))
    page = response.content.decode()
    assert response.status_code == 200
    assert _listed(response)[0] == latest
    assert latest.visit_date.isoformat() in page
    assert latest.primary_diagnosis.name_en in page and latest.provider.name in page
    assert 'class="visit-detail"' not in page and 'id="detail-dialog"' in page
    assert reverse("bank:visit", args=[latest.pk]) in page


def test_western_lists_only_western_visits_of_the_window(english, sign_in):
    chen = sign_in(english, CHEN)
    response = english.get(reverse("bank:western"))
    assert response.context["page"].paginator.count == _visits(chen, kind="western").count()
    assert {v.kind for v in _listed(response)} == {Visit.Kind.WESTERN}


def test_top_five_chart_holds_the_most_frequent_diagnoses_with_counts(english, sign_in):
    chen = sign_in(english, CHEN)
    expected = list(
        _visits(chen, kind=Visit.Kind.WESTERN)
        .values_list("primary_diagnosis")
        .annotate(n=Count("pk"))
        .order_by("-n", "primary_diagnosis")[:5]
    )
    assert len(expected) == 5
    chart = english.get(reverse("bank:western")).context["chart"]
    assert chart["type"] == "doughnut"
    assert chart["datasets"][0]["data"] == [n for _, n in expected]
    assert [label.rsplit("(", 1)[1].rstrip(")") for label in chart["labels"]] == [
        code for code, _ in expected
    ]
    assert chart["links"] == [f"?diagnosis={code}" for code, _ in expected]


def test_diagnosis_filter_lists_only_that_disease(english, sign_in):
    chen = sign_in(english, CHEN)
    code = "E78.5"
    expected = _visits(chen, kind=Visit.Kind.WESTERN, primary_diagnosis=code)
    assert expected.count() > 1
    response = english.get(reverse("bank:western"), {"diagnosis": code})
    listed = _listed(response)
    assert {v.primary_diagnosis_id for v in listed} == {code}
    assert len(listed) == expected.count()
    assert response.context["chosen"].code == code
    assert f'<option value="{code}" selected>' in response.content.decode()


def test_sorting_by_points_and_by_date(english, sign_in):
    sign_in(english, CHEN)
    url = reverse("bank:western")
    ascending = [v.points for v in _listed(english.get(url, {"sort": "points"}))]
    assert ascending == sorted(ascending) and ascending[0] < ascending[-1]
    descending = [v.points for v in _listed(english.get(url, {"sort": "-points"}))]
    assert descending == sorted(descending, reverse=True)
    oldest_first = [v.visit_date for v in _listed(english.get(url, {"sort": "date"}))]
    assert oldest_first == sorted(oldest_first)
    newest_first = [v.visit_date for v in _listed(english.get(url))]
    assert newest_first == sorted(newest_first, reverse=True)


def test_sort_headers_keep_the_diagnosis_filter(english, sign_in):
    sign_in(english, CHEN)
    response = english.get(reverse("bank:western"), {"diagnosis": "I10", "sort": "points"})
    urls = [h["url"] for h in response.context["headers"]]
    assert all("diagnosis=I10" in url for url in urls)
    assert '<input type="hidden" name="sort" value="points">' in response.content.decode()


def test_tcm_page_lists_chinese_medicine_visits(english, sign_in):
    wife = sign_in(english, CHEN_WIFE)
    expected = _visits(wife, kind=Visit.Kind.TCM)
    assert expected.exists()
    response = english.get(reverse("bank:tcm"))
    assert {v.pk for v in _listed(response)} == set(expected.values_list("pk", flat=True))
    top = (
        expected.values_list("primary_diagnosis")
        .annotate(n=Count("pk"))
        .order_by("-n", "primary_diagnosis")
    )
    assert response.context["chart"]["datasets"][0]["data"][0] == top[0][1]


# --- Inpatient ----------------------------------------------------------------------------


def _second_stay(person: Person) -> Visit:
    """Another admission of the person, in the window's first year."""
    stay = Visit.objects.get(person=person, kind=Visit.Kind.INPATIENT)
    admitted = _window().start + dt.timedelta(days=40)
    return VisitFactory(
        person=person,
        provider=stay.provider,
        kind=Visit.Kind.INPATIENT,
        visit_date=admitted,
        discharge_date=admitted + dt.timedelta(days=3),
        department=stay.department,
        primary_diagnosis_id="J18.9",
        copayment=900,
        points=9000,
        card_sequence="IC01",
    )


def test_inpatient_lists_stays_with_their_discharge_summary(english, sign_in):
    wife = sign_in(english, CHEN_WIFE)
    stay = Visit.objects.select_related("discharge_summary").get(
        person=wife, kind=Visit.Kind.INPATIENT
    )
    response = english.get(reverse("bank:inpatient"))
    [listed] = _listed(response)
    assert listed == stay and listed.summary_id == stay.discharge_summary.pk
    page = response.content.decode()
    assert stay.visit_date.isoformat() in page and stay.discharge_date.isoformat() in page
    assert stay.primary_diagnosis.name_en in page
    assert reverse("bank:discharge_summary", args=[stay.discharge_summary.pk]) in page


def test_year_filter_lists_only_that_years_admissions(english, sign_in):
    wife = sign_in(english, CHEN_WIFE)
    older = _second_stay(wife)
    newer = Visit.objects.filter(person=wife, kind=Visit.Kind.INPATIENT).exclude(pk=older.pk).get()
    assert older.visit_date.year != newer.visit_date.year
    url = reverse("bank:inpatient")

    response = english.get(url)
    assert response.context["chart"]["datasets"][0]["data"] == [1, 1]
    assert response.context["chart"]["links"] == [
        f"?year={older.visit_date.year}",
        f"?year={newer.visit_date.year}",
    ]
    assert _listed(response) == [newer, older]
    assert _listed(english.get(url, {"year": older.visit_date.year})) == [older]
    assert _listed(english.get(url, {"year": newer.visit_date.year})) == [newer]
    assert _listed(english.get(url, {"sort": "points"})) == [older, newer]


def test_admission_years_are_roc_years_in_chinese(client, sign_in):
    wife = sign_in(client, CHEN_WIFE)
    stay = Visit.objects.get(person=wife, kind=Visit.Kind.INPATIENT)
    with translation.override("zh-hant"):
        response = client.get(reverse("bank:inpatient"))
    assert response.context["chart"]["labels"] == [str(stay.visit_date.year - 1911)]


# --- Visit detail -------------------------------------------------------------------------


def test_detail_shows_diagnoses_drug_orders_and_service_orders(english, sign_in):
    chen = sign_in(english, CHEN)
    visit = (
        _visits(chen, kind=Visit.Kind.WESTERN, chronic_refill=True).order_by("-visit_date").first()
    )
    orders = list(DrugOrder.objects.filter(visit=visit).select_related("drug"))
    assert orders
    page = english.get(reverse("bank:visit", args=[visit.pk])).content.decode()
    detail = page[page.index('class="visit-detail"') :]
    assert visit.visit_date.isoformat() in detail and visit.provider.name in detail
    assert visit.card_sequence in detail
    assert f"{visit.primary_diagnosis.code}</span> {visit.primary_diagnosis.name_en}" in detail
    for order in orders:
        row = detail[detail.index(order.drug.code) :]
        row = row[: row.index("</tr>")]
        assert order.drug.name_en in row
        assert f'<td class="number">{order.days}</td>' in row
        assert f'<td class="number">{order.quantity.normalize():f}</td>' in row
    assert "00" in detail and "Non-drug orders" in detail
    assert f">{visit.copayment}<" in detail and f">{visit.points}<" in detail


def test_detail_of_a_stay_lists_its_surgery_and_summary(english, sign_in):
    wife = sign_in(english, CHEN_WIFE)
    stay = Visit.objects.get(person=wife, kind=Visit.Kind.INPATIENT)
    page = english.get(reverse("bank:visit", args=[stay.pk])).content.decode()
    for surgery in stay.surgeries.select_related("service"):
        assert surgery.service.code in page and surgery.service.name_en in page
    assert reverse("bank:discharge_summary", args=[stay.discharge_summary.pk]) in page


def test_detail_of_someone_elses_visit_is_404(english, sign_in, outsider):
    chen = sign_in(english, CHEN)
    visit = Visit.objects.filter(person=chen).first()
    assert english.get(reverse("bank:visit", args=[visit.pk])).status_code == 200
    assert outsider.get(reverse("bank:visit", args=[visit.pk])).status_code == 404
    assert outsider.get(reverse("bank:visit", args=[10**9])).status_code == 404


def test_a_parent_sees_a_childs_visit_only_after_switching_to_the_child(client, sign_in):
    mother = sign_in(client, LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    visit = Visit.objects.filter(person=daughter).first()
    url = reverse("bank:visit", args=[visit.pk])
    assert client.get(url).status_code == 404  # the mother's own records are open
    client.post(reverse("bank:switch"), {"person": daughter.pk})
    assert client.get(url).status_code == 200
    listed = _listed(client.get(reverse("bank:western")))
    assert listed and {v.person_id for v in listed} == {daughter.pk} != {mother.pk}


def test_a_parent_the_child_is_not_insured_under_gets_404(client, sign_in):
    sign_in(client, LIN_HUSBAND)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    visit = Visit.objects.filter(person=daughter).first()
    client.post(reverse("bank:switch"), {"person": daughter.pk})
    assert client.get(reverse("bank:visit", args=[visit.pk])).status_code == 404


# --- Medications --------------------------------------------------------------------------


def test_medications_group_drugs_by_atc_level_3_with_visit_counts(english, sign_in):
    chen = sign_in(english, CHEN)
    window = _window()
    expected = {}
    for visit_id, atc in DrugOrder.objects.filter(
        person=chen, visit__visit_date__gte=window.start, visit__visit_date__lte=window.end
    ).values_list("visit_id", "drug__atc"):
        expected.setdefault(atc[:4] if atc else "tcm", set()).add(visit_id)
    response = english.get(reverse("bank:medications"))
    classes = {c.code: c.visits for c, _ in response.context["classes"]}
    assert classes == {code: len(visits) for code, visits in expected.items()}
    assert "C09D" in classes  # his blood-pressure combination
    assert "ANGIOTENSIN II RECEPTOR BLOCKERS (ARBs), COMBINATIONS" in response.content.decode()


def test_medication_class_filter_lists_only_drugs_of_that_class(english, sign_in):
    sign_in(english, CHEN)
    response = english.get(reverse("bank:medications"), {"atc": "c10a"})
    listed = _listed(response)
    assert listed and response.context["atc"] == "C10A"
    drugs = [order.drug for visit in listed for order in visit.drug_orders.all()]
    assert drugs and all(drug.atc_id.startswith("C10A") for drug in drugs)
    # A level-4 class (as the duplicate warning links) narrows within its group.
    level4 = drugs[0].atc_id[:5]
    narrower = _listed(english.get(reverse("bank:medications"), {"atc": level4}))
    assert all(
        order.drug.atc_id.startswith(level4) for v in narrower for order in v.drug_orders.all()
    )


def test_chinese_medicine_is_its_own_group(english, sign_in):
    wife = sign_in(english, CHEN_WIFE)
    response = english.get(reverse("bank:medications"), {"atc": "tcm"})
    listed = _listed(response)
    assert listed
    assert all(order.drug.kind == Drug.Kind.TCM for v in listed for order in v.drug_orders.all())
    assert {v.pk for v in listed} == set(
        _visits(wife, drug_orders__drug__kind=Drug.Kind.TCM).values_list("pk", flat=True)
    )
    assert "Chinese medicine" in response.content.decode()


def test_medications_warn_of_the_same_class_from_two_providers(english, sign_in):
    wu = sign_in(english, WU)
    providers = duplicate_prescriptions(wu)
    page = english.get(reverse("bank:medications")).content.decode()
    assert "Possible duplicate medication" in page
    assert providers[0].name in page and providers[1].name in page
    assert "?atc=C08CA" in page


# --- Chronic refills ----------------------------------------------------------------------


def test_refills_list_chronic_refill_visits_with_their_drugs(english, sign_in):
    chen = sign_in(english, CHEN)
    expected = _visits(chen, chronic_refill=True)
    response = english.get(reverse("bank:refills"))
    assert response.context["page"].paginator.count == expected.count()
    first = _listed(response)[0]
    assert first == expected.order_by("-visit_date", "-pk").first()
    page = response.content.decode()
    assert first.card_sequence in page
    for order in first.drug_orders.all():
        assert order.drug.code in page and order.drug.name_en in page


def test_refill_disease_filter_and_pages_keep_the_sort(english, sign_in):
    chen = sign_in(english, CHEN)
    url = reverse("bank:refills")
    listed = _listed(english.get(url, {"diagnosis": "I10"}))
    assert listed and {v.primary_diagnosis_id for v in listed} == {"I10"}
    assert len(listed) == _visits(chen, chronic_refill=True, primary_diagnosis="I10").count()

    total = _visits(chen, chronic_refill=True).count()
    assert total > 50  # two pages
    response = english.get(url, {"sort": "date", "page": "2"})
    second = _listed(response)
    assert len(second) == total - 50
    assert second[-1] == _visits(chen, chronic_refill=True).order_by("visit_date", "pk").last()
    assert '?sort=date&amp;page=1"' in response.content.decode()


# --- Home page selector -------------------------------------------------------------------


def test_latest_visits_of_each_kind_in_one_query(sign_in, django_assert_max_num_queries):
    chen = Person.objects.get(national_id=CHEN)
    window = _window()
    with django_assert_max_num_queries(1):
        latest = latest_visits(chen, window)
        names = {
            key: v.primary_diagnosis.name_zh + v.provider.name for key, v in latest.items() if v
        }
    assert latest["tcm"] is None and set(names) == {"western", "dental"}
    for key in ("western", "dental"):
        assert latest[key] == _visits(chen, kind=key).order_by("-visit_date", "-pk").first()


# --- Every page ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", LIST_PAGES)
def test_empty_state_for_someone_without_records(english, sign_in, name):
    sign_in(english, WU)
    response = english.get(reverse(f"bank:{name}"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="empty"' in page and "period searched" in page
    assert "<h1>" in page and "Data period:" in page


@pytest.mark.parametrize("name", LIST_PAGES)
def test_another_persons_session_does_not_see_the_owners_rows(sign_in, outsider, name):
    chen = Person.objects.get(national_id=CHEN)
    page = outsider.get(reverse(f"bank:{name}")).content.decode()
    for visit in Visit.objects.filter(person=chen)[:20]:
        assert reverse("bank:visit", args=[visit.pk]) not in page


@pytest.mark.parametrize(
    ("name", "who"),
    [
        ("western", CHEN),
        ("tcm", CHEN_WIFE),
        ("inpatient", CHEN_WIFE),
        ("medications", CHEN),
        ("refills", CHEN),
    ],
)
def test_pages_use_a_bounded_number_of_queries(
    english, sign_in, django_assert_max_num_queries, name, who
):
    sign_in(english, who)
    with django_assert_max_num_queries(16):
        assert english.get(reverse(f"bank:{name}"), {"page": "2"}).status_code == 200


def test_detail_uses_a_bounded_number_of_queries(english, sign_in, django_assert_max_num_queries):
    wife = sign_in(english, CHEN_WIFE)
    stay = Visit.objects.get(person=wife, kind=Visit.Kind.INPATIENT)
    with django_assert_max_num_queries(15):
        assert english.get(reverse("bank:visit", args=[stay.pk])).status_code == 200


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("western", {"diagnosis": "NOPE", "sort": "-bogus", "page": "abc"}),
        ("western", {"diagnosis": "", "sort": "", "page": "-3"}),
        ("tcm", {"diagnosis": "I10' OR 1=1", "page": "99999"}),
        ("inpatient", {"year": "abc", "sort": "--date"}),
        ("inpatient", {"year": "1999", "page": "0"}),
        ("inpatient", {"year": "99999999999999999999"}),
        ("medications", {"atc": "../etc", "sort": "provider"}),
        ("medications", {"atc": "ZZZZ"}),
        ("medications", {"atc": "C"}),
        ("medications", {"atc": "tcm"}),  # he has no Chinese medicine
        ("refills", {"diagnosis": "E78.5\x00", "page": "1.5"}),
    ],
)
def test_bad_filter_sort_and_page_values_are_ignored(english, sign_in, name, params):
    chen = sign_in(english, CHEN)
    response = english.get(reverse(f"bank:{name}"), params)
    assert response.status_code == 200
    everything = english.get(reverse(f"bank:{name}"))
    assert response.context["page"].paginator.count == everything.context["page"].paginator.count
    assert chen.pk  # the page is the owner's own


def test_visit_urls_that_are_not_numbers_are_404(english, sign_in):
    sign_in(english, CHEN)
    assert english.get("/bank/health/visits/abc/").status_code == 404


@pytest.mark.parametrize("name", ["western", "medications", "refills"])
def test_pages_in_chinese_show_roc_dates(client, sign_in, name):
    sign_in(client, CHEN)
    response = client.get(reverse(f"bank:{name}"))
    first = _listed(response)[0]
    page = response.content.decode()
    assert to_roc(first.visit_date) in page and first.primary_diagnosis.name_zh in page


# --- What a row shows ---------------------------------------------------------------------


def _date_link(visit: Visit, shown: str) -> str:
    """The date cell every visit list shows: a link to the detail, the dialog's htmx load."""
    url = reverse("bank:visit", args=[visit.pk])
    return (
        f'<a href="{url}" hx-get="{url}" hx-target="#detail-dialog [data-dialog-body]" '
        f'hx-select=".visit-detail"><time datetime="{visit.visit_date.isoformat()}">{shown}'
        "</time></a>"
    )


def _flat(response) -> str:
    """The page with its layout whitespace gone, so a row reads as one line."""
    return " ".join(response.content.decode().split()).replace("> <", "><")


@pytest.mark.parametrize(
    ("language", "dose"),
    [("en", "{days} day{s}, total {quantity}"), ("zh-hant", "{days} 天，總量 {quantity}")],
)
def test_medication_rows_show_the_visit_and_each_drugs_dose(client, sign_in, language, dose):
    client.cookies["django_language"] = language
    chen = sign_in(client, CHEN)
    visit = (
        _visits(chen, drug_orders__isnull=False)
        .select_related("provider", "primary_diagnosis")
        .order_by("-visit_date", "-pk")
        .first()
    )
    page = _flat(client.get(reverse("bank:medications")))
    shown = visit.visit_date.isoformat() if language == "en" else to_roc(visit.visit_date)
    assert f"<td>{_date_link(visit, shown)}</td>" in page
    assert f"<td>{visit.provider.name}</td>" in page
    name = visit.primary_diagnosis.name_en if language == "en" else visit.primary_diagnosis.name_zh
    assert f'<td>{name} <span class="code">{visit.primary_diagnosis.code}</span></td>' in page
    for order in visit.drug_orders.select_related("drug"):
        quantity = f"{order.quantity.normalize():f}"
        text = dose.format(days=order.days, s="" if order.days == 1 else "s", quantity=quantity)
        drug = order.drug.name_en if language == "en" else order.drug.name_zh
        assert (
            f'<li>{drug} <span class="code">{order.drug.code}</span>'
            f'<span class="dose">{text}</span></li>'
        ) in page


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_outpatient_rows_show_date_provider_diagnosis_and_amounts(client, sign_in, language):
    client.cookies["django_language"] = language
    chen = sign_in(client, CHEN)
    visit = (
        _visits(chen, kind=Visit.Kind.WESTERN)
        .select_related("provider", "primary_diagnosis")
        .order_by("-visit_date", "-pk")
        .first()
    )
    page = _flat(client.get(reverse("bank:western")))
    shown = visit.visit_date.isoformat() if language == "en" else to_roc(visit.visit_date)
    name = visit.primary_diagnosis.name_en if language == "en" else visit.primary_diagnosis.name_zh
    assert f"<td>{_date_link(visit, shown)}</td><td>{visit.provider.name}</td>" in page
    assert f'<td>{name} <span class="code">{visit.primary_diagnosis.code}</span></td>' in page
    assert f'<td class="number">{visit.points:,}</td>' in page


def test_stay_rows_say_still_in_hospital_and_summary_not_uploaded(english, sign_in):
    wife = sign_in(english, CHEN_WIFE)
    stay = Visit.objects.get(person=wife, kind=Visit.Kind.INPATIENT)
    stay.discharge_summary.delete()
    Visit.objects.filter(pk=stay.pk).update(discharge_date=None)
    page = english.get(reverse("bank:inpatient")).content.decode()
    assert "<td>Still in hospital</td>" in page
    assert '<span class="muted">Not uploaded</span>' in page


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_refill_rows_show_which_dispensing_and_the_drugs_table(client, sign_in, language):
    client.cookies["django_language"] = language
    chen = sign_in(client, CHEN)
    visit = _visits(chen, chronic_refill=True).order_by("-visit_date", "-pk").first()
    page = _flat(client.get(reverse("bank:refills")))
    shown = visit.visit_date.isoformat() if language == "en" else to_roc(visit.visit_date)
    caption = f"Drugs dispensed on {shown}" if language == "en" else f"{shown} 調劑藥品"
    assert f"<caption>{caption}</caption>" in page
    assert f'<td class="number">{visit.refill_number or "—"}</td>' in page
    for order in visit.drug_orders.select_related("drug"):
        assert f'<td class="code">{order.drug.code}</td>' in page
