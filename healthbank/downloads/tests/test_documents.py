"""The package's HTML and XML files and its README: every category for several personas,
checked against the rows the portal shows, the schema and the escaping of what people type."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.html import escape
from lxml import etree

from healthbank.codes.models import Drug
from healthbank.core.rocdate import to_roc
from healthbank.downloads.documents import (
    NAMESPACE,
    SCHEMA_PATH,
    html_file,
    readme_text,
    xml_file,
    xml_schema,
)
from healthbank.people.models import Person
from healthbank.records.categories import BY_CODE, CATEGORIES, Category
from healthbank.records.models import Provider
from healthbank.records.rules import Window
from healthbank.records.tests.factories import AllergyFactory, CalendarEventFactory, CareWishFactory
from tests.fixtures.personas import CHANG, CHEN, CHEN_WIFE, HUANG, LEE, LIN_DAUGHTER, WU

pytestmark = pytest.mark.django_db

EMPTY_SENTENCE = "此期間查無資料。"
NS = {"p": NAMESPACE}
LINK = re.compile(r"<[^>]*\b(?:src|href|srcset|action)\s*=", re.IGNORECASE)  # in a tag


def _files(category: Category, person: Person, today: dt.date, now: dt.datetime):
    window = category.window(today)
    rows = category.rows(person, window)
    html = html_file(category, person, rows, window, now)
    document = etree.fromstring(xml_file(category, person, rows, window, now))
    return rows, window, html, document


def _decimal(element, path: str) -> Decimal:
    return Decimal(element.findtext(path, namespaces=NS))


def _check_visits(rows, html: str, section) -> None:
    visits = section.findall("p:visit", NS)
    assert [v.findtext("p:date", namespaces=NS) for v in visits] == [
        r.visit_date.isoformat() for r in rows
    ]
    assert [v.find("p:diagnoses/p:diagnosis[@rank='1']", NS).get("code") for v in visits] == [
        r.primary_diagnosis_id for r in rows
    ]
    latest = rows[0]
    assert escape(latest.primary_diagnosis.name_zh) in html
    with_drugs = next((i for i, r in enumerate(rows) if r.drug_orders.all()), None)
    if with_drugs is not None:
        orders = list(rows[with_drugs].drug_orders.all())
        written = visits[with_drugs].findall("p:drugOrders/p:drugOrder", NS)
        assert [
            (
                o.find("p:drug", NS).get("code"),
                int(o.findtext("p:days", namespaces=NS)),
                _decimal(o, "p:quantity"),
            )
            for o in written
        ] == [(o.drug_id, o.days, o.quantity) for o in orders]
        assert escape(orders[0].drug.name_zh) in html


def _check_labs(rows, html: str, section) -> None:
    written = section.findall("p:labResult", NS)
    assert [
        (
            r.findtext("p:date", namespaces=NS),
            r.find("p:item", NS).get("code"),
            r.findtext("p:valueText", namespaces=NS),
            r.findtext("p:referenceText", namespaces=NS),
        )
        for r in written
    ] == [
        (r.collected_on.isoformat(), r.item_id, r.value_text, r.item.reference_text) for r in rows
    ]
    numeric = next(i for i, r in enumerate(rows) if r.value is not None)
    assert _decimal(written[numeric], "p:value") == rows[numeric].value
    if rows[numeric].item.reference_high is not None:
        assert _decimal(written[numeric], "p:referenceHigh") == rows[numeric].item.reference_high
    assert escape(rows[0].item.reference_text) in html


# 陳林秀英 brings an inpatient stay, its discharge summary, TCM and imaging reports.
@pytest.mark.parametrize("national_id", [CHEN, CHANG, LEE, LIN_DAUGHTER, HUANG, CHEN_WIFE, WU])
def test_every_category_gives_a_valid_xml_and_a_printable_html_of_its_rows(personas, national_id):
    person = Person.objects.get(national_id=national_id)
    today, now = timezone.localdate(), timezone.now()
    schema = xml_schema()
    counts = {}
    for category in CATEGORIES:
        rows, window, html, document = _files(category, person, today, now)

        schema.assertValid(document)
        assert document.get("category") == category.code
        assert document.get("periodStart") == window.start.isoformat()
        assert document.findtext("p:person/p:nationalIdMasked", namespaces=NS) == person.masked_id
        section = document[1]
        assert section.get("count") == str(len(rows)) and len(section) == len(rows)
        counts[category.code] = len(rows)

        assert html.startswith("<!DOCTYPE html>") and 'lang="zh-Hant-TW"' in html
        assert person.masked_id in html and person.national_id not in html
        assert "<script" not in html.lower() and not LINK.search(html), category.code
        assert "本資料非醫師法及醫療法規定之病歷" in html
        if not rows:
            assert EMPTY_SENTENCE in html, category.code
            continue
        assert EMPTY_SENTENCE not in html
        first_date = category.date_of(rows[0])
        if first_date.year > 1911:  # premium bills are by month: 115/10
            shown = (
                to_roc(first_date)[:6] if category.code == "premium_bills" else to_roc(first_date)
            )
            assert shown in html, category.code
        if category.code in ("outpatient", "inpatient", "dental", "tcm"):
            _check_visits(rows, html, section)
        elif category.code == "labs":
            _check_labs(rows, html, section)
    medical = ("outpatient", "inpatient", "dental", "tcm", "labs")
    if national_id == WU:  # no medical records at all: every file says so
        assert not any(counts[code] for code in medical)
    else:
        assert counts["outpatient"] and counts["vaccinations"]
    if national_id in (CHEN, CHANG, LEE):
        assert counts["labs"]


def test_one_month_of_a_monthly_category_is_valid_and_holds_that_month(personas):
    person = Person.objects.get(national_id=CHEN)
    category = BY_CODE["outpatient"]
    rows = category.rows(person, category.window(timezone.localdate()))
    first = rows[0].visit_date.replace(day=1)
    month = Window(first, rows[0].visit_date)
    in_month = [r for r in rows if r.visit_date in month]
    document = etree.fromstring(xml_file(category, person, in_month, month, timezone.now()))
    xml_schema().assertValid(document)
    assert document.get("periodStart") == first.isoformat()
    assert len(document.findall("p:outpatient/p:visit", NS)) == len(in_month)


def test_what_people_type_is_escaped_in_html_and_xml(personas):
    person = Person.objects.get(national_id=WU)
    person.name = "<script>alert('x')</script> & 吳"
    CalendarEventFactory(person=person, title="<b>回診</b>\x07", note="<img src=x>")
    now = timezone.now()
    files = {}
    for code in ("calendar", "outpatient"):
        category = BY_CODE[code]
        window = category.window(timezone.localdate())
        rows = category.rows(person, window)
        html = html_file(category, person, rows, window, now)
        data = xml_file(category, person, rows, window, now)

        assert "<script" not in html and "&lt;script&gt;" in html
        assert "<b>" not in html and "<img" not in html and not LINK.search(html)
        assert b"<script" not in data and b"&lt;script&gt;" in data
        document = etree.fromstring(data)
        xml_schema().assertValid(document)
        assert document.findtext("p:person/p:name", namespaces=NS) == person.name
        files[code] = html, document

    html, document = files["calendar"]
    assert "&lt;b&gt;回診&lt;/b&gt;" in html and "&lt;img src=x&gt;" in html
    # The bell character XML cannot hold is dropped, the rest kept as typed.
    assert document.findtext("p:calendar/p:event/p:title", namespaces=NS) == "<b>回診</b>"
    assert document.findtext("p:calendar/p:event/p:note", namespaces=NS) == "<img src=x>"


def test_allergies_and_wishes_are_written_with_their_status(personas):
    # No persona has them: the synthetic population does.
    person = Person.objects.get(national_id=WU)
    provider, drug = Provider.objects.first(), Drug.objects.first()
    today, now = timezone.localdate(), timezone.now()
    AllergyFactory(
        person=person, provider=provider, substance="Penicillin <G>", drug=drug, reaction="皮疹"
    )
    for kind, revoked_on in (("hospice", None), ("organ_donation", today)):
        CareWishFactory(person=person, provider=provider, kind=kind, revoked_on=revoked_on)
    for code in ("allergies", "wishes"):
        rows, _window, html, document = _files(BY_CODE[code], person, today, now)
        xml_schema().assertValid(document)
        assert len(document[1]) == len(rows) > 0
        assert escape(provider.name) in html
    allergies = BY_CODE["allergies"]
    rows, _window, html, document = _files(allergies, person, today, now)
    assert "Penicillin &lt;G&gt;" in html and "皮疹" in html
    assert document.find("p:allergies/p:allergy/p:drug", NS).get("code") == drug.code
    rows, _window, html, document = _files(BY_CODE["wishes"], person, today, now)
    assert "已撤回" in html and "有效" in html
    wishes = {w.get("kind"): w for w in document.findall("p:wishes/p:wish", NS)}
    assert wishes["organ_donation"].findtext("p:revokedOn", namespaces=NS) == today.isoformat()
    assert wishes["hospice"].find("p:revokedOn", NS) is None


@dataclass
class Part:
    category: Category
    name: str
    period: Window
    rows: list


def test_readme_names_every_file_the_password_rule_and_the_schema(personas):
    person = Person.objects.get(national_id=CHEN)
    today = timezone.localdate()
    outpatient, cards = BY_CODE["outpatient"], BY_CODE["cards"]
    month = Window(today.replace(day=1), today)
    parts = [
        Part(outpatient, "門診資料_115年03月", month, outpatient.rows(person, month)),
        Part(cards, "健保卡狀況及領卡紀錄", cards.window(today), []),
    ]
    text = readme_text(parts, person, timezone.now())

    assert text.startswith("\ufeff") and "\r\n" in text and "\n\n\n" not in text.replace("\r", "")
    assert person.masked_id in text and person.national_id not in text
    assert "門診資料_115年03月.html / .xml / .json" in text
    assert "健保卡狀況及領卡紀錄.html / .xml / .json" in text
    assert f"{to_roc(month.start)} 至 {to_roc(month.end)}" in text
    assert "無資料" in text and "no data" in text
    assert "首碼英文為大寫" in text and "first letter in upper" in text
    assert SCHEMA_PATH.name in text and "healthbank/downloads/schema/" in text
    assert "FHIR R4" in text and "資源回收筒" in text
    assert text.index("健康存摺") < text.index("My Health Bank")
    assert "&lt;" not in text and "&amp;" not in text
