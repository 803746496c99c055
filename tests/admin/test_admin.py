"""The staff admin (/staff/): every page opens, people are found by national ID, reported
records stay read-only, and list pages keep a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from healthbank.codes import models as codes
from healthbank.identity.staff_reads import person_id_of, person_path
from healthbank.people import models as people
from healthbank.records import models as records
from healthbank.records.tests import factories
from healthbank.records.tests.factories import PersonFactory
from tests.fixtures.portal import give_reason

APPS = {"people", "codes", "records"}
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in APPS),
    key=lambda model: model._meta.label,
)
READ_ONLY = [
    records.Visit,
    records.VisitDiagnosis,
    records.DrugOrder,
    records.ServiceOrder,
    records.Surgery,
    records.LabResult,
    records.ImagingReport,
    records.DischargeSummary,
    records.Allergy,
    records.Vaccination,
    records.PreventiveCheck,
    records.CareWish,
]
DAY = dt.date(2024, 5, 6)


def _code(model, code: str, **fields):
    """A code-table row, whether or not the loaded tables already hold it."""
    defaults = {"name_zh": f"測試{code}", "name_en": f"Test {code}", **fields}
    return model.objects.get_or_create(code=code, defaults=defaults)[0]


def _division(model, code: str, **fields):
    return model.objects.get_or_create(code=code, defaults=fields)[0]


class ProviderFactory(factories.ProviderFactory):
    code = factory.Sequence(lambda n: f"{n:010d}")
    name = factory.Sequence(lambda n: f"測試診所{n}")
    township = None
    county = factory.LazyFunction(lambda: _division(people.County, "63000"))
    phone = "02-2700-0000"
    address = "臺北市大安區信義路三段1號"


class VisitFactory(factories.VisitFactory):
    provider = factory.SubFactory(ProviderFactory)
    source_id = factory.Sequence(lambda n: f"V{n}")
    visit_date = DAY
    department = factory.LazyFunction(lambda: _code(codes.Department, "ZZ"))
    primary_diagnosis = factory.LazyFunction(lambda: _code(codes.Diagnosis, "ZZ9.9", chronic=False))
    points = 350


@pytest.fixture
def world(db) -> dict[type, object]:
    """One row of every model the admin shows, made with plain ORM calls and the factories."""
    county = _division(people.County, "63000", letter="A", name_zh="臺北市", name_en="Taipei City")
    township = _division(
        people.Township, "63000030", county=county, name_zh="大安區", name_en="Da'an District"
    )
    village = _division(
        people.Village, "63000030001", township=township, name_zh="測試里", name_en="Test Vil."
    )
    household = people.Household.objects.create(
        number="A1234567", village=village, neighbourhood=3, street_address="信義路三段1號"
    )
    person = PersonFactory(household=household)
    unit = people.InsuredUnit.objects.create(
        code="123456789", name="測試公司", kind=people.InsuredUnit.Kind.EMPLOYER, township=township
    )
    enrolment = people.Enrolment.objects.create(
        person=person,
        role="insured",
        relation="self",
        unit=unit,
        category=1,
        insured_amount=45800,
        start_date=DAY,
        status="active",
    )
    card = people.NhiCard.objects.create(
        person=person, number="000012345678", issued_on=DAY, status="valid"
    )
    issuance = people.CardIssuance.objects.create(
        person=person, card=card, reason="first", channel="counter", applied_on=DAY, issued_on=DAY
    )
    bill = people.PremiumBill.objects.create(
        person=person,
        unit=unit,
        month=DAY.replace(day=1),
        category=1,
        insured_amount=45800,
        dependants=0,
        amount=711,
        due_date=DAY,
    )
    payment = people.PremiumPayment.objects.create(
        person=person, bill=bill, paid_on=DAY, amount=711, method="payroll"
    )
    mailing = people.MailingAddress.objects.create(
        person=person, village=village, street_address="和平東路一段2號", since=timezone.now()
    )

    atc = _code(codes.AtcClass, "Z99ZZ99")
    drug = _code(
        codes.Drug,
        "ZZ00000000",
        generic_name="testamol",
        atc=atc,
        form="錠劑",
        strength="500 mg",
        unit="粒",
    )
    service = _code(codes.Service, "ZZ001C", category="surgery", points=1000)
    vaccine = _code(codes.Vaccine, "ZZV1", antigen="test")
    lab_item = _code(
        codes.LabItem,
        "ZZ002C",
        short_name="TST",
        panel="other",
        kind="numeric",
        reference_text="0-1",
    )
    tooth = _code(codes.ToothPosition, "ZZ", dentition="permanent", quadrant=1)
    site = _code(codes.BodySite, "ZZSITE", region="test")
    diagnosis = _code(codes.Diagnosis, "ZZ9.9", chronic=False)
    department = _code(codes.Department, "ZZ")

    provider = ProviderFactory(township=township)
    visit = VisitFactory(person=person, provider=provider, kind="inpatient", discharge_date=DAY)
    reported = {"person": person, "provider": provider}
    rows = [
        county,
        township,
        village,
        household,
        person,
        unit,
        enrolment,
        card,
        issuance,
        mailing,
        bill,
        payment,
        atc,
        drug,
        service,
        vaccine,
        lab_item,
        tooth,
        site,
        diagnosis,
        department,
        provider,
        visit,
        records.VisitDiagnosis.objects.create(
            visit=visit, person=person, diagnosis=diagnosis, rank=1
        ),
        records.DrugOrder.objects.create(
            visit=visit, person=person, drug=drug, days=7, quantity=Decimal(21), frequency="TID"
        ),
        records.ServiceOrder.objects.create(
            visit=visit, person=person, service=service, tooth=tooth
        ),
        records.Surgery.objects.create(
            visit=visit, person=person, service=service, body_site=site, performed_on=DAY
        ),
        records.LabResult.objects.create(
            **reported,
            source_id="L1",
            visit=visit,
            item=lab_item,
            collected_on=DAY,
            value=Decimal("0.5"),
            value_text="0.5",
        ),
        records.ImagingReport.objects.create(
            **reported,
            source_id="I1",
            visit=visit,
            kind="imaging",
            service=service,
            body_site=site,
            examined_on=DAY,
            findings="None.",
            impression="Normal.",
        ),
        records.DischargeSummary.objects.create(
            **reported,
            source_id="D1",
            visit=visit,
            admitted_on=DAY,
            discharged_on=DAY,
            chief_complaint="Test.",
            diagnoses="Test.",
            course="Uneventful.",
            discharge_plan="Rest.",
        ),
        records.Allergy.objects.create(
            **reported, source_id="A1", recorded_on=DAY, substance="testamol", drug=drug
        ),
        records.Vaccination.objects.create(
            **reported, source_id="VA1", vaccine=vaccine, given_on=DAY
        ),
        records.PreventiveCheck.objects.create(
            **reported,
            source_id="P1",
            checked_on=DAY,
            blood_pressure_result="normal",
            lipid_result="normal",
            glucose_result="normal",
            kidney_result="normal",
            metabolic_syndrome_result="normal",
            liver_result="normal",
            hbsag="negative",
            anti_hcv="negative",
        ),
        records.CareWish.objects.create(
            **reported, source_id="C1", kind="hospice", signed_on=DAY, noted_on=DAY
        ),
        records.Measurement.objects.create(
            person=person, kind="weight", value=Decimal("60.5"), measured_at=timezone.now()
        ),
        records.CalendarEvent.objects.create(person=person, title="回診", date=DAY),
        records.EmergencyLoad.objects.create(
            provider=reported["provider"],
            source_id="ER1",
            reported_at=timezone.now(),
            waiting_to_be_seen=3,
            waiting_for_bed=1,
            waiting_for_admission=2,
        ),
        records.FirstAidGuide.objects.create(
            slug="test", title_zh="測試", title_en="Test", body_zh="先打 119。", body_en="Call 119."
        ),
    ]
    return {type(row): row for row in rows}


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_user(db) -> User:
    """pytest-django's superuser, without a password to hash (tests log in directly)."""
    return User.objects.create_superuser("admin", "admin@example.com", password=None)


@pytest.fixture
def staff_user(db) -> User:
    """A staff member with no model permissions at all."""
    return User.objects.create_user("clerk", password=None, is_staff=True)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_superuser_opens_changelist_and_change_page(admin_client, world, model):
    assert model in world, f"add a {model.__name__} row to the world fixture"
    obj = world[model]
    path = person_path(model)
    if path is not None:  # a person's data: the reason first (identity/tests/test_staff_reads)
        give_reason(admin_client, person_id_of(obj, path))

    changelist = admin_client.get(_url(model, "changelist"))
    change = admin_client.get(_url(model, "change", obj.pk))

    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1
    assert change.status_code == 200


@pytest.mark.parametrize("model", [people.Person, people.Household], ids=str)
def test_superuser_opens_the_add_page_of_master_data(admin_client, db, model):
    assert admin_client.get(_url(model, "add")).status_code == 200


def test_every_model_of_the_three_apps_is_registered():
    missing = [
        model._meta.label
        for app in sorted(APPS)
        for model in apps.get_app_config(app).get_models()
        if model not in admin.site._registry
    ]

    assert missing == []


def test_person_is_found_by_national_id_and_name(admin_client, world):
    person = world[people.Person]
    PersonFactory.create_batch(3)
    give_reason(admin_client)  # a search is a read of the people it finds

    by_id = admin_client.get(_url(people.Person, "changelist"), {"q": person.national_id.lower()})
    by_name = admin_client.get(_url(people.Person, "changelist"), {"q": person.name})

    assert list(by_id.context["cl"].result_list) == [person]
    assert list(by_name.context["cl"].result_list) == [person]


def test_visits_are_found_by_the_persons_national_id_and_name(admin_client, world):
    person = world[people.Person]
    VisitFactory.create_batch(3)  # other people's visits
    give_reason(admin_client)

    by_id = admin_client.get(_url(records.Visit, "changelist"), {"q": person.national_id})
    by_name = admin_client.get(_url(records.Visit, "changelist"), {"q": person.name})

    assert list(by_id.context["cl"].result_list) == [world[records.Visit]]
    assert list(by_name.context["cl"].result_list) == [world[records.Visit]]


def test_visit_page_shows_its_orders_read_only(admin_client, world):
    visit = world[records.Visit]
    give_reason(admin_client, visit.person)

    response = admin_client.get(_url(records.Visit, "change", visit.pk))

    content = response.content.decode()
    assert "ZZ9.9" in content and "ZZ00000000" in content and "ZZ001C" in content
    assert 'name="diagnoses-0-diagnosis"' not in content  # no editable inline field
    assert not response.context["has_change_permission"]


def test_person_page_shows_enrolments_and_cards_inline(admin_client, world):
    person = world[people.Person]
    give_reason(admin_client, person)

    content = admin_client.get(_url(people.Person, "change", person.pk)).content.decode()

    assert 'name="enrolments-0-unit"' in content
    assert 'name="cards-0-number"' in content


def test_household_pages_show_the_full_registered_address(admin_client, world):
    household = world[people.Household]
    village = household.village
    # county, township, village (as loaded), 鄰, street
    address = f"臺北市大安區{village.name_zh}3鄰信義路三段1號"

    listed = admin_client.get(_url(people.Household, "changelist")).content.decode()
    changed = admin_client.get(_url(people.Household, "change", household.pk)).content.decode()

    assert address in listed
    assert address in changed


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda model: model._meta.label)
def test_reported_record_cannot_be_added_changed_or_deleted(admin_client, world, model):
    obj = world[model]
    before = model.objects.filter(pk=obj.pk).values().get()
    give_reason(admin_client, obj.person)

    add = admin_client.post(_url(model, "add"), {})
    change = admin_client.post(_url(model, "change", obj.pk), {"source_id": "tampered"})
    delete = admin_client.post(_url(model, "delete", obj.pk), {"post": "yes"})
    bulk = admin_client.post(
        _url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert bulk.status_code in {200, 302}  # the action is not offered, so nothing runs
    assert model.objects.filter(pk=obj.pk).values().get() == before


def test_staff_without_permissions_may_view_reported_records_only(
    client, world, staff_user, staff_login
):
    staff_login(client, staff_user)
    visit = world[records.Visit]
    give_reason(client, visit.person)

    assert client.get(_url(records.Visit, "changelist")).status_code == 200
    assert client.get(_url(records.Visit, "change", visit.pk)).status_code == 200
    assert client.get(_url(people.Person, "changelist")).status_code == 403
    assert b"/staff/records/visit/" in client.get(reverse("admin:index")).content


def test_staff_with_permissions_edit_master_data(client, world, staff_user, staff_login):
    staff_user.user_permissions.add(*Permission.objects.filter(codename="change_county"))
    staff_login(client, staff_user)
    county = world[people.County]

    response = client.post(
        _url(people.County, "change", county.pk),
        {"code": county.code, "letter": "A", "name_zh": "臺北市", "name_en": "Taipei"},
    )

    assert response.status_code == 302
    county.refresh_from_db()
    assert county.name_en == "Taipei"


def _changelist_queries(client, model) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(model, "changelist")).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "model", [records.Visit, people.Person, people.Enrolment], ids=lambda model: model.__name__
)
def test_changelist_queries_stay_constant_as_rows_grow(
    admin_client, world, model, django_assert_max_num_queries
):
    few = _changelist_queries(admin_client, model)
    for _ in range(20):
        # Each visit brings its own person and provider: joins, not a query per row.
        visit = VisitFactory()
        people.Enrolment.objects.create(
            person=visit.person,
            role="insured",
            relation="self",
            unit=world[people.InsuredUnit],
            category=1,
            insured_amount=45800,
            start_date=DAY,
            status="active",
        )

    with django_assert_max_num_queries(12):
        many = _changelist_queries(admin_client, model)

    assert many == few


def test_visit_page_queries_stay_constant_as_orders_grow(admin_client, world):
    visit = world[records.Visit]
    url = _url(records.Visit, "change", visit.pk)
    give_reason(admin_client, visit.person)
    admin_client.get(url)  # the first request of a process also fills caches (content types)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for n in range(10):
        drug = _code(
            codes.Drug,
            f"ZZ{n:08d}",
            generic_name="testamol",
            form="錠劑",
            strength="1 mg",
            unit="粒",
        )
        records.DrugOrder.objects.create(
            visit=visit, person=visit.person, drug=drug, days=7, quantity=Decimal(7)
        )
        records.VisitDiagnosis.objects.create(
            visit=visit, person=visit.person, diagnosis=_code(codes.Diagnosis, f"ZZ{n}"), rank=n + 2
        )

    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)

    assert len(many) == len(few)
