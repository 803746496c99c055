"""The 疾病評估 pages: liver-cancer risk and CKD prognosis from the person's own lab results."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from healthbank.records.assessments import LiverRiskInputs, ckd_prognosis, liver_cancer_risk
from healthbank.records.models import LabResult
from healthbank.records.rules import is_positive, record_window
from tests.fixtures.personas import CHANG, LEE, LIN, LIN_DAUGHTER, WU

LIVER = reverse("bank:liver_risk")
KIDNEY = reverse("bank:kidney_risk")


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def _latest(person, code: str) -> LabResult:
    """The person's latest result of a test in the record window, straight from the table."""
    window = record_window(timezone.localdate())
    return (
        LabResult.objects.filter(
            person=person, item_id=code, collected_on__range=(window.start, window.end)
        )
        .select_related("provider")
        .order_by("-collected_on", "-pk")
        .first()
    )


# --- Liver-cancer risk -----------------------------------------------------------------


def test_liver_page_scores_lees_latest_alt_and_hbeag(english, sign_in) -> None:
    lee = sign_in(english, LEE)
    alt, hbeag = _latest(lee, "09026C"), _latest(lee, "14035C")
    assert alt is not None and hbeag is not None and hbeag.flag == "A"
    expected = liver_cancer_risk(
        LiverRiskInputs(lee.sex, lee.age_on(timezone.localdate()), alt.value, True)
    )

    response = english.get(LIVER)

    assert response.status_code == 200
    risk = response.context["risk"]
    assert risk.total == expected.total and risk.band == expected.band
    html = response.content.decode()
    assert f"<strong data-total>{expected.total}</strong>" in html
    assert f'<strong class="result-value" data-band>{expected.band.label}</strong>' in html
    # Each input names its source: the value, the date and the provider.
    assert f"{alt.value_text} U/L" in html
    assert alt.collected_on.isoformat() in html and alt.provider.name in html
    assert "Positive (+)" in html and hbeag.collected_on.isoformat() in html
    assert not response.context["recalculated"]


def test_liver_page_marks_the_persons_rows_in_both_tables(english, sign_in) -> None:
    sign_in(english, LEE)
    response = english.get(LIVER)
    html = response.content.decode()
    # One chosen option per factor and one chosen band, each marked in text, not colour alone.
    assert html.count('<li class="chosen" aria-current="true">') == 4
    assert html.count('<tr class="chosen" aria-current="true">') == 1
    assert html.count('<span class="marker">yours</span>') == 4
    assert html.count('<span class="marker">your result</span>') == 1
    assert sum(row["chosen"] for row in response.context["bands"]) == 1


def test_recalculating_with_given_values_gives_the_seed_band(english, sign_in) -> None:
    sign_in(english, LEE)
    response = english.get(LIVER, {"sex": "M", "age": "60", "alt": "50", "hbeag": "positive"})

    assert response.status_code == 200
    assert response.context["recalculated"]
    risk = response.context["risk"]
    assert risk.total == 6 + 2 + 3 + 4 == 15
    assert risk.band.label == "65%"
    html = response.content.decode()
    assert "Recalculated with the values you entered" in html
    assert f'href="{LIVER}">Reload my data</a>' in html


def test_recalculating_with_low_values_gives_a_low_band(english, sign_in) -> None:
    sign_in(english, LEE)
    response = english.get(LIVER, {"sex": "F", "age": "30", "alt": "12.5", "hbeag": "negative"})
    assert response.context["risk"].total == 0
    assert response.context["risk"].band.label == "<1%"


@pytest.mark.parametrize(
    ("query", "bad_fields"),
    [
        ({"sex": "X", "age": "130", "alt": "-1", "hbeag": "maybe"}, {"sex", "age", "alt", "hbeag"}),
        ({"sex": "M", "age": "abc", "alt": "NaN", "hbeag": "positive"}, {"age", "alt"}),
        ({"sex": "M", "age": "52", "alt": "5001", "hbeag": "negative"}, {"alt"}),
        ({"age": "52"}, {"sex", "alt", "hbeag"}),
    ],
)
def test_invalid_recalculation_explains_and_keeps_the_persons_result(
    english, sign_in, query, bad_fields
) -> None:
    lee = sign_in(english, LEE)
    own = english.get(LIVER).context["risk"]

    response = english.get(LIVER, query)

    assert response.status_code == 200
    assert set(response.context["form"].errors) == bad_fields
    assert not response.context["recalculated"]
    assert response.context["risk"].total == own.total  # still the person's own data
    html = response.content.decode()
    assert "Please correct the values marked below" in html
    assert 'aria-invalid="true"' in html or "sex" in bad_fields
    assert _latest(lee, "09026C").provider.name in html


def test_age_and_alt_limits_are_explained(english, sign_in) -> None:
    sign_in(english, LEE)
    response = english.get(LIVER, {"sex": "M", "age": "121", "alt": "6000", "hbeag": "negative"})
    html = response.content.decode()
    assert "Ensure this value is less than or equal to 120." in html
    assert "Ensure this value is less than or equal to 5000." in html


def test_person_without_results_is_told_what_is_missing(english, sign_in) -> None:
    sign_in(english, WU)
    response = english.get(LIVER)

    assert response.status_code == 200
    risk = response.context["risk"]
    assert risk.total is None and risk.missing == ("alt", "hbeag_positive")
    html = response.content.decode()
    assert "The risk cannot be estimated yet" in html
    assert "No ALT result in the data period." in html
    assert "No HBeAg result in the data period." in html
    assert '<details class="recalculate" open>' in html  # invited to enter the values


def test_person_without_results_can_enter_values(english, sign_in) -> None:
    sign_in(english, WU)
    response = english.get(LIVER, {"sex": "F", "age": "29", "alt": "20", "hbeag": "negative"})
    assert response.context["risk"].total == 1
    assert response.context["risk"].band.label == "<1%"


def test_parent_sees_the_childs_liver_page(english, sign_in) -> None:
    sign_in(english, LIN)
    daughter = english.get(LIVER).context["portal"].children[0]
    assert daughter.national_id == LIN_DAUGHTER
    english.post(reverse("bank:switch"), {"person": daughter.pk})

    response = english.get(LIVER)

    assert response.context["own"].age == daughter.age_on(timezone.localdate())
    assert response.context["own"].sex == daughter.sex


# --- CKD prognosis ---------------------------------------------------------------------


def test_kidney_page_highlights_changs_cell_from_her_latest_results(english, sign_in) -> None:
    chang = sign_in(english, CHANG)
    egfr, acr = _latest(chang, "EGFR"), _latest(chang, "12111C")
    expected = ckd_prognosis(egfr.value, acr.value)

    response = english.get(KIDNEY)

    assert response.status_code == 200
    prognosis = response.context["prognosis"]
    assert prognosis.cell == expected.cell
    html = response.content.decode()
    gfr, alb = expected.gfr_category, expected.albuminuria_category
    assert html.count("data-here=") == 1
    assert f'data-here="{gfr} {alb}"' in html
    assert f"You are in {gfr}, {alb}: {expected.label} — {expected.follow_up_label}." in html
    assert f"{egfr.value_text} mL/min/1.73m²" in html and egfr.provider.name in html
    assert f"{acr.value_text} mg/g" in html and acr.collected_on.isoformat() in html


def test_kidney_page_charts_every_egfr_in_the_window(english, sign_in) -> None:
    chang = sign_in(english, CHANG)
    window = record_window(timezone.localdate())
    egfrs = LabResult.objects.filter(
        person=chang, item_id="EGFR", collected_on__range=(window.start, window.end)
    ).count()
    assert egfrs > 1

    response = english.get(KIDNEY)

    spec = response.context["egfr_chart"]
    assert len(spec["labels"]) == len(spec["datasets"][0]["data"]) == egfrs
    assert 'id="egfr-chart-data"' in response.content.decode()
    # The chart's text equivalent: one row per day and provider with eGFR and ACR side by side.
    days = (
        LabResult.objects.filter(
            person=chang,
            item_id__in=("EGFR", "12111C"),
            collected_on__range=(window.start, window.end),
        )
        .values("collected_on", "provider")
        .distinct()
        .count()
    )
    assert len(response.context["history"]) == days


def test_kidney_recalculation_highlights_the_entered_cell(english, sign_in) -> None:
    sign_in(english, CHANG)
    response = english.get(KIDNEY, {"egfr": "50", "acr": "100"})

    assert response.context["recalculated"]
    html = response.content.decode()
    assert 'data-here="G3a A2"' in html and html.count("data-here=") == 1
    assert "You are in G3a, A2: Watch — Follow up twice a year." in html


def test_kidney_recalculation_uses_pcr_when_there_is_no_acr(english, sign_in) -> None:
    sign_in(english, CHANG)
    response = english.get(KIDNEY, {"egfr": "95", "acr": "", "pcr": "600"})
    assert response.context["prognosis"].cell_label == "2"
    assert 'data-here="G1 A3"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "bad_fields"),
    [
        ({"egfr": "abc", "acr": "-5"}, {"egfr", "acr"}),
        ({"egfr": "250", "acr": "100"}, {"egfr"}),
        ({"egfr": "50", "acr": "100001"}, {"acr"}),
        ({"egfr": "50", "pcr": "1e9"}, {"pcr"}),
        ({"egfr": "50", "acr": "", "pcr": ""}, {"__all__"}),
    ],
)
def test_kidney_bad_numbers_are_explained_and_keep_the_persons_cell(
    english, sign_in, query, bad_fields
) -> None:
    chang = sign_in(english, CHANG)
    expected = ckd_prognosis(_latest(chang, "EGFR").value, _latest(chang, "12111C").value)

    response = english.get(KIDNEY, query)

    assert response.status_code == 200
    assert set(response.context["form"].errors) == bad_fields
    assert response.context["prognosis"].cell == expected.cell
    assert "Please correct the values marked below" in response.content.decode()


def test_kidney_asks_for_a_ratio_when_none_is_given(english, sign_in) -> None:
    sign_in(english, CHANG)
    response = english.get(KIDNEY, {"egfr": "50"})
    assert "Enter a urine albumin/creatinine ratio (ACR) or a protein ratio (PCR)." in (
        response.content.decode()
    )


def test_kidney_page_without_results_says_what_is_missing(english, sign_in) -> None:
    sign_in(english, WU)
    response = english.get(KIDNEY)

    assert response.status_code == 200
    assert response.context["prognosis"].missing == ("egfr", "acr_or_pcr")
    html = response.content.decode()
    assert "No eGFR result in the data period." in html
    assert "No urine albumin/creatinine ratio (ACR) result in the data period." in html
    assert "data-here=" not in html
    assert "No eGFR or ACR results were uploaded for you in this period." in html


def test_grid_draws_every_cell_with_its_number_and_level(english, sign_in) -> None:
    sign_in(english, CHANG)
    html = english.get(KIDNEY).content.decode()
    assert html.count('class="cell level-') == 18
    assert html.count('<span class="cell-number">4+</span>') == 4
    assert "Dark red means End-stage kidney disease: Follow up at least four times a year." in html


# --- Everyone sees only their own data ----------------------------------------------------


def test_outsider_never_sees_lees_or_changs_values(outsider, sign_in, client) -> None:
    lee, chang = sign_in(client, LEE), sign_in(client, CHANG)
    lee_alt, chang_egfr = _latest(lee, "09026C"), _latest(chang, "EGFR")

    liver = outsider.get(LIVER)
    kidney = outsider.get(KIDNEY)

    assert liver.status_code == kidney.status_code == 200
    assert liver.context["sources"].alt is None and liver.context["sources"].hbeag is None
    assert kidney.context["sources"].egfr is None and kidney.context["sources"].egfr_series == []
    assert lee_alt.provider.name not in liver.content.decode()
    assert chang_egfr.provider.name not in kidney.content.decode()
    assert "data-here=" not in kidney.content.decode()


def test_pages_need_sign_in(client, personas) -> None:
    for url in (LIVER, KIDNEY):
        response = client.get(url)
        assert response.status_code == 302 and reverse("identity:login") in response["Location"]


@pytest.mark.parametrize(("national_id", "url"), [(LEE, LIVER), (CHANG, KIDNEY), (WU, KIDNEY)])
def test_pages_use_a_bounded_number_of_queries(
    english, sign_in, django_assert_max_num_queries, national_id, url
) -> None:
    sign_in(english, national_id)
    # The frame (session, user, account, children, audit) takes 9; the page adds one.
    with django_assert_max_num_queries(10):
        english.get(url, {"egfr": "50", "acr": "100"} if url == KIDNEY else {})


def test_pages_render_in_chinese(client, sign_in) -> None:
    chang = sign_in(client, CHANG)
    egfr = _latest(chang, "EGFR")
    for url in (LIVER, KIDNEY):
        assert client.get(url).status_code == 200
    roc = f"{egfr.collected_on.year - 1911:03d}/{egfr.collected_on:%m/%d}"
    assert roc in client.get(KIDNEY).content.decode()


def test_decimal_inputs_are_prefilled_as_typed(english, sign_in) -> None:
    chang = sign_in(english, CHANG)
    egfr = _latest(chang, "EGFR")
    form = english.get(KIDNEY).context["form"]
    assert Decimal(form.initial["egfr"]) == egfr.value
    assert not re.search(r"\.\d*0$", form.initial["egfr"])  # 41.30 is shown as 41.3


@pytest.mark.parametrize(
    ("text", "flag", "positive"),
    [
        ("Positive", "A", True),
        ("Negative", "", False),
        ("陽性(+)", "", True),
        ("陰性(-)", "", False),
        ("2+", "", True),
        ("reactive", "A", True),
    ],
)
def test_hbeag_reads_as_reported(text: str, flag: str, positive: bool) -> None:
    assert is_positive(LabResult(value_text=text, flag=flag)) is positive


def test_invalid_recalculation_is_explained_in_chinese_too(client, sign_in) -> None:
    sign_in(client, LEE)  # the site's default language
    html = client.get(LIVER, {"sex": "M", "age": "abc", "alt": "1", "hbeag": "positive"})
    assert "請修正下方標示的數值；上方結果仍依您的個人資料計算。" in html.content.decode()
