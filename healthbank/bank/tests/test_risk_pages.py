"""The risk predictions (糖尿病風險預測, 心血管疾病風險預測): the person's own latest values,
with their dates and sources, scored by the published models; missing values named; the
states where a model does not apply."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from healthbank.people.models import Person
from healthbank.records.models import LabResult, Measurement, PreventiveCheck, Provider
from healthbank.records.risk_models import diabetes_risk, heart_risk
from healthbank.records.selectors.risk import GLUCOSE_CODE, HDL_CODE, Source, risk_records
from tests.fixtures.personas import CHANG, CHEN, LEE, LIN, LIN_DAUGHTER, WU

HEART = reverse("bank:heart_risk")
DIABETES = reverse("bank:diabetes_risk")
ANSWERED = {"smoker": "no", "parent": "no"}


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def _add_lab(person: Person, code: str, value: str, day: dt.date) -> LabResult:
    provider = Provider.objects.order_by("pk").first()
    return LabResult.objects.create(
        person=person,
        provider=provider,
        source_id=f"risk-{person.pk}-{code}-{day}",
        item_id=code,
        collected_on=day,
        value=Decimal(value),
        value_text=value,
    )


# --- Selector ---------------------------------------------------------------------------


def test_selector_takes_the_latest_value_with_its_date_and_source(sign_in, client) -> None:
    chen = sign_in(client, CHEN)
    today = timezone.localdate()
    before = risk_records(chen, today).values["hdl"]
    newer = _add_lab(chen, HDL_CODE, "47", today - dt.timedelta(days=1))
    _add_lab(chen, HDL_CODE, "99", before.on - dt.timedelta(days=30))  # older: not used

    hdl = risk_records(chen, today).values["hdl"]

    assert (hdl.value, hdl.on, hdl.source) == (Decimal("47.00"), newer.collected_on, Source.LAB)
    assert hdl.provider == newer.provider.name


def test_selector_never_uses_another_persons_values(sign_in, client) -> None:
    wu = sign_in(client, WU)
    chen = Person.objects.get(national_id=CHEN)
    today = timezone.localdate()
    _add_lab(chen, GLUCOSE_CODE, "101", today)
    Measurement.objects.create(
        person=chen, kind=Measurement.Kind.SYSTOLIC, value=150, measured_at=timezone.now()
    )
    records = risk_records(wu, today)
    assert records.values == {} and records.bp_treatment is None and records.diabetes is None


def test_selector_reads_treatment_and_diabetes_from_the_records(sign_in, client) -> None:
    chang = sign_in(client, CHANG)
    records = risk_records(chang, timezone.localdate())
    assert records.diabetes is not None and records.diabetes.detail.startswith("E11")
    assert records.bp_treatment is not None and records.bp_treatment.source == Source.DRUG


def test_selector_bounded_queries(sign_in, client, django_assert_max_num_queries) -> None:
    chen = sign_in(client, CHEN)
    with django_assert_max_num_queries(5):
        risk_records(chen, timezone.localdate())


# --- Pages ------------------------------------------------------------------------------


def test_heart_page_scores_chens_own_values(english, sign_in) -> None:
    chen = sign_in(english, CHEN)
    records = risk_records(chen, timezone.localdate())
    expected = heart_risk(records.inputs(False, False))
    assert expected.complete

    response = english.get(HEART, ANSWERED)

    assert response.status_code == 200
    result = response.context["assessment"]
    assert result.percent == pytest.approx(expected.percent)
    html = response.content.decode()
    assert f'<strong class="result-value" data-risk>{expected.percent:.1f}%</strong>' in html
    # The picture: 100 people, the risk's count filled, with its text equivalent.
    assert html.count('class="hit"') == expected.people
    assert html.count('class="miss"') == 100 - expected.people
    assert f"Of 100 people like you, about {expected.people} would have it" in html
    assert 'role="img"' in html
    # Each value with its date and source; the drivers and the what-ifs.
    hdl = records.values["hdl"]
    assert hdl.on.isoformat() in html and "adult preventive check" in html
    assert "What drove it" in html and 'data-driver="systolic"' in html
    assert 'data-what-if="systolic"' in html and "Systolic blood pressure at 120 mmHg" in html
    treated = records.bp_treatment
    assert f"{treated.on.isoformat()}, prescription, {treated.provider}" in html
    # The model card.
    assert "Goff DC Jr" in html and "C-statistic" in html and "0.9144" in html


def test_diabetes_page_scores_chens_own_values(english, sign_in) -> None:
    chen = sign_in(english, CHEN)
    expected = diabetes_risk(risk_records(chen, timezone.localdate()).inputs(False, False))
    response = english.get(DIABETES, ANSWERED)
    html = response.content.decode()
    assert response.context["assessment"].percent == pytest.approx(expected.percent)
    assert f"{expected.percent:.1f}%" in html
    assert "Wilson PWF" in html and "0.85" in html and "-5.517" in html
    assert 'data-what-if="bmi"' in html and "at your height" in html
    assert 'data-driver="fasting_glucose"' in html


def test_unanswered_question_is_named_as_missing(english, sign_in) -> None:
    sign_in(english, CHEN)
    response = english.get(HEART)
    assert response.context["assessment"].missing == ("smoker",)
    html = response.content.decode()
    assert "data-missing" in html and "Smoking now" in html
    assert "Answer the question below." in html and "Do you smoke now?" in html


def test_answering_yes_raises_the_risk(english, sign_in) -> None:
    sign_in(english, CHEN)
    no = english.get(HEART, {"smoker": "no"}).context["assessment"].percent
    yes = english.get(HEART, {"smoker": "yes"}).context["assessment"].percent
    assert yes > no


def test_missing_values_say_how_to_get_them(english, sign_in) -> None:
    sign_in(english, WU)  # 29, no records: too young for either model, and nothing found
    response = english.get(DIABETES, ANSWERED)
    html = response.content.decode()
    assert "data-not-applicable" in html and "you are 29" in html
    assert "Not found." in html


def test_missing_values_point_to_the_preventive_check(english, sign_in) -> None:
    person = sign_in(english, LEE)  # 52
    LabResult.objects.filter(person=person).delete()
    PreventiveCheck.objects.filter(person=person).delete()
    response = english.get(HEART, ANSWERED)
    result = response.context["assessment"]
    assert set(result.missing) == {"total_cholesterol", "hdl", "systolic"}
    html = response.content.decode()
    assert "The free adult preventive check" in html and "once every 3" in html


def test_diabetes_page_does_not_apply_to_someone_with_diabetes(english, sign_in) -> None:
    sign_in(english, CHANG)
    response = english.get(DIABETES, ANSWERED)
    result = response.context["assessment"]
    assert "diabetes" in result.not_applicable and result.percent is None
    assert "Your records show diabetes already" in response.content.decode()


def test_parent_viewing_a_child_sees_does_not_apply(english, sign_in) -> None:
    sign_in(english, LIN)
    daughter = english.get(HEART).context["portal"].children[0]
    assert daughter.national_id == LIN_DAUGHTER
    english.post(reverse("bank:switch"), {"person": daughter.pk})
    for url in (HEART, DIABETES):
        response = english.get(url, ANSWERED)
        assert response.context["records"].age == daughter.age_on(timezone.localdate())
        assert response.context["assessment"].not_applicable[0] == "age"
        assert "This estimate does not apply to you." in response.content.decode()


def test_pages_need_sign_in(client, personas) -> None:
    for url in (HEART, DIABETES):
        response = client.get(url)
        assert response.status_code == 302 and reverse("identity:login") in response["Location"]


def test_pages_render_in_chinese(client, sign_in) -> None:
    sign_in(client, CHEN)
    for url in (HEART, DIABETES):
        response = client.get(url, ANSWERED)
        assert response.status_code == 200
        assert response.context["assessment"].complete


def test_menu_lists_both_pages(english, sign_in) -> None:
    sign_in(english, CHEN)
    html = english.get(reverse("bank:liver_risk")).content.decode()
    assert HEART in html and DIABETES in html


@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_value_no_body_has_is_left_out_not_a_server_error(english, sign_in, value) -> None:
    """A lab's HDL of 0 (a provider's upload), a blood pressure of 0 or below typed in:
    not a measurement; the page scores without it (or names it missing), never a 500."""
    chen = sign_in(english, CHEN)
    today = timezone.localdate()
    _add_lab(chen, HDL_CODE, value, today)
    for kind in (Measurement.Kind.SYSTOLIC, Measurement.Kind.HEIGHT):
        Measurement.objects.create(
            person=chen, kind=kind, value=Decimal(value), measured_at=timezone.now()
        )

    records = risk_records(chen, today)

    assert all(found.value > 0 for found in records.values.values())
    for page in (HEART, DIABETES):
        response = english.get(page, ANSWERED)
        assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"smoker": "yes", "parent": "maybe"},
        {"smoker": "yes", "parent": "9" * 5000},
        {"smoker": "yes", "parent": ["no", "yes"], "extra": "x"},
    ],
)
def test_a_bad_answer_in_the_query_loses_only_itself(english, sign_in, query) -> None:
    """?parent=maybe (a hand-edited link) is no answer; the smoking answer given stays."""
    sign_in(english, CHEN)

    response = english.get(HEART, query)

    assert response.status_code == 200
    smoker = next(row for row in response.context["rows"] if row["key"] == "smoker")
    assert smoker["answer"] is True
