"""申請本日資料 → 重新整理 → 瀏覽 / 無資料 and the record lists and details the app reads,
for the owner (陳志明) and another person (his wife)."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone, translation
from ninja.responses import NinjaJSONEncoder as Encoder

from healthbank.api import records as record_views
from healthbank.api.schemas import RecordDetailOut, RecordOut
from healthbank.api.tests.test_api import get, login, post, verify
from healthbank.audit.models import AuditEvent
from healthbank.downloads import generation
from healthbank.downloads import services as downloads
from healthbank.downloads.models import PackageRequest
from healthbank.identity.tests.cardhelpers import WIFE_ID, registered, seed_personas
from healthbank.records.categories import CATEGORIES
from healthbank.records.models import Allergy, LabResult, Visit, VisitDiagnosis

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def personas(settings, tmp_path):
    settings.DOWNLOAD_DIR = tmp_path / "downloads"
    seed_personas()


@pytest.fixture
def chen():
    return registered()


@pytest.fixture
def token(client, chen) -> str:
    return login(client, verify(client, chen)).json()["access_token"]


def test_before_asking_there_is_no_request_for_today(client, token):
    response = get(client, "/today", token=token)
    assert (response.status_code, response.content) == (204, b"")  # an answer, not an error


def test_todays_data_shows_browse_or_no_data_per_category_once_made(client, chen, token):
    asked = post(client, "/today", token=token).json()
    assert {c["count"] for c in asked["categories"]} == {None}  # not made yet
    assert get(client, "/today", token=token).json()["request_id"] == asked["request_id"]
    assert asked["requested_on"] == timezone.localdate().isoformat()

    generation.generate(asked["request_id"])

    made = get(client, "/today", token=token).json()
    assert made["status"] == "ready"
    counts = {c["code"]: c["count"] for c in made["categories"]}
    western = Visit.objects.filter(person=chen.person, kind__in=("western", "pharmacy"))
    assert counts["outpatient"] == len(get(client, "/records/outpatient", token=token).json())
    assert 0 < counts["outpatient"] <= western.count()
    assert counts["allergies"] == Allergy.objects.filter(person=chen.person).count()
    assert made["categories"][0]["label"] == "健保卡狀況及領卡紀錄"


def test_a_download_page_request_is_not_todays_data(client, chen, token):
    downloads.request_package(
        person=chen.person, requested_by=chen.person, choices=[{"code": "labs"}]
    )
    response = get(client, "/today", token=token)
    assert response.status_code == 204


def test_another_persons_request_is_not_todays_data(client, token):
    wife = registered(WIFE_ID, email="lin@example.com")
    downloads.request_everything(person=wife.person, requested_by=wife.person)
    assert get(client, "/today", token=token).status_code == 204
    assert PackageRequest.objects.count() == 1


def test_a_record_opens_with_its_details(client, chen, token):
    rows = get(client, "/records/outpatient", token=token).json()
    with_drugs = next(row for row in rows if Visit.objects.get(pk=row["id"]).drug_orders.exists())
    response = get(client, f"/records/outpatient/{with_drugs['id']}", token=token)
    assert response.status_code == 200
    body = response.json()
    assert body["summary"] == body["diagnosis_name"]
    labels = [detail["label"] for detail in body["details"]]
    assert "藥品" in labels and "診斷" in labels and "部分負擔(元)" in labels
    visit = Visit.objects.get(pk=with_drugs["id"])
    drug = visit.drug_orders.first().drug
    assert any(drug.name_zh in detail["value"] for detail in body["details"])

    client.cookies["django_language"] = "en"
    body = get(client, f"/records/outpatient/{with_drugs['id']}", token=token).json()
    assert "Drug" in [detail["label"] for detail in body["details"]]


def test_the_apps_reads_are_in_the_persons_access_record(client, chen, token):
    rows = get(client, "/records/outpatient", token=token).json()
    get(client, f"/records/outpatient/{rows[0]['id']}", token=token)
    get(client, "/records/outpatient/0", token=token)  # nothing read: not recorded

    person = chen.person
    reads = AuditEvent.objects.filter(person=person, action=AuditEvent.Action.RECORDS_READ)
    assert [(e.actor, e.actor_id, e.detail["page"]) for e in reads.order_by("id")] == [
        ("person", person.pk, "app:outpatient"),
        ("person", person.pk, "app:outpatient"),
    ]


def test_another_persons_record_is_not_found(client, token):
    wife = registered(WIFE_ID, email="lin@example.com")
    theirs = Visit.objects.filter(person=wife.person).first()
    response = get(client, f"/records/{'outpatient'}/{theirs.pk}", token=token)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    response = get(client, "/records/nonsense/1", token=token)
    assert response.status_code == 404


def test_a_record_of_another_category_is_not_found_in_this_one(client, token):
    outpatient = get(client, "/records/outpatient", token=token).json()[0]["id"]
    for category in ("dental", "inpatient"):
        response = get(client, f"/records/{category}/{outpatient}", token=token)
        assert response.status_code == 404, category


@pytest.mark.parametrize("category", ["outpatient", "labs", "premium_bills", "vaccinations"])
def test_a_record_list_is_a_few_queries_however_many_rows(
    client, token, category, django_assert_num_queries
):
    with django_assert_num_queries(3):  # token check, the list's rows, the audit row
        rows = get(client, f"/records/{category}", token=token).json()
    assert rows
    expected = 2 + (5 if category == "outpatient" else 1)
    with django_assert_num_queries(expected):
        assert get(client, f"/records/{category}/{rows[-1]['id']}", token=token).status_code == 200


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_every_list_is_the_schemas_view_of_the_categorys_rows(client, chen, token, language):
    # The lists are made from plain rows and not validated one by one, and a record is read
    # alone: each must read as the schema made it of the category's own rows (keys, order,
    # values, nulls).
    person = chen.person
    assert VisitDiagnosis.objects.filter(person=person, rank__gt=1).exists()
    assert Visit.objects.filter(person=person, drug_orders__isnull=False).exists()
    assert LabResult.objects.filter(person=person).exists()
    client.cookies["django_language"] = language

    def detailed(category, row) -> dict:
        return record_views.item(category, row) | {"details": record_views.details(row)}

    def as_json(schema: type[RecordOut], rows: list[dict]) -> list[list]:
        dumped = json.dumps([schema.model_validate(row).model_dump() for row in rows], cls=Encoder)
        return [list(row.items()) for row in json.loads(dumped)]

    for category in CATEGORIES:
        with translation.override(language):
            rows = category.rows(person, category.window(timezone.localdate()))
            expected = as_json(RecordOut, [record_views.item(category, row) for row in rows])
            details = as_json(RecordDetailOut, [detailed(category, row) for row in rows])
        listed = get(client, f"/records/{category.code}", token=token).json()
        assert [list(row.items()) for row in listed] == expected
        for row, detail in list(zip(rows, details, strict=True))[:3]:
            body = get(client, f"/records/{category.code}/{row.pk}", token=token).json()
            assert list(body.items()) == detail
        if category.code in ("outpatient", "labs"):
            assert len(listed) > 1, category.code


def test_a_preventive_check_reads_like_the_seeds_table(client, token):
    rows = get(client, "/records/preventive", token=token).json()
    body = get(client, f"/records/preventive/{rows[0]['id']}", token=token).json()
    labels = [detail["label"] for detail in body["details"]]
    assert labels[0] == "檢查日期"
    assert any(label.startswith("血脂") for label in labels)
    assert any(detail["value"].endswith("mg/dL") for detail in body["details"])
