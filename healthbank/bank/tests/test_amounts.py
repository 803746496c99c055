"""NHI points and amounts group thousands (12,944 點) wherever they are shown, in both
languages: one filter, `grouped` (healthbank.core.numbers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from healthbank.records.models import Visit
from tests.fixtures.personas import CHEN_WIFE, HUANG

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2]  # healthbank/: every app's templates
# A number cell or a definition holding 1000 or more written without a separator.
UNGROUPED = re.compile(r'<(?:td class="number"|dd)>\s*(\d{4,})\s*<')
GROUPED = re.compile(r'<(?:td class="number"|dd)>\s*\d{1,3}(?:,\d{3})+\s*<')
# Fields that hold NT$ or NHI points; a template printing one prints it `|grouped`.
MONEY_FIELDS = ("points", "copayment", "amount", "insured_amount", "fee", "billed", "paid")
FIELD_NAMES = "|".join(MONEY_FIELDS)
PRINTED_FIELD = re.compile(r"\{\{\s*[\w.]+\.(" + FIELD_NAMES + r")\s*(\|[^}]*)?\}\}")


def test_every_template_prints_points_and_amounts_grouped():
    ungrouped = [
        f"{path.relative_to(TEMPLATES)}: {match[0]}"
        for path in TEMPLATES.rglob("templates/**/*.html")
        for match in PRINTED_FIELD.finditer(path.read_text(encoding="utf-8"))
        if "grouped" not in (match[2] or "")
    ]
    assert not ungrouped, f"amounts printed without |grouped: {ungrouped}"


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_visit_lists_and_details_group_thousands(client, sign_in, language):
    client.cookies["django_language"] = language
    wife = sign_in(client, CHEN_WIFE)
    pages = [
        reverse(name) + "?sort=-points"
        for name in ("bank:western", "bank:tcm", "bank:inpatient", "bank:surgeries")
    ]
    stay = Visit.objects.filter(person=wife, kind=Visit.Kind.INPATIENT).latest("points")
    assert stay.points >= 1000  # the persona's stay is a five-figure one
    pages.append(reverse("bank:visit", args=[stay.pk]))
    for url in pages:
        html = client.get(url).content.decode()
        assert GROUPED.search(html), f"{url}: no grouped amount shown"
        assert not UNGROUPED.search(html), f"{url}: {UNGROUPED.search(html)[1]} not grouped"
    assert f"<dd>{stay.points:,}</dd>" in client.get(pages[-1]).content.decode()

    sign_in(client, HUANG)
    html = client.get(reverse("bank:dental") + "?sort=-points").content.decode()
    assert GROUPED.search(html) and not UNGROUPED.search(html)
