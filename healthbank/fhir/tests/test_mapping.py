"""The FHIR R4 Bundle of each category: valid R4(B) resources holding what the rows hold."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections import Counter

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from healthbank.codes.models import Drug
from healthbank.fhir import mapping as fhir
from healthbank.fhir.tests.validation import assert_valid, assert_valid_bundle
from healthbank.people.models import Person
from healthbank.records.categories import BY_CODE, CATEGORIES
from healthbank.records.models import CareWish, Provider, Visit
from healthbank.records.tests.factories import AllergyFactory, CareWishFactory
from tests.fixtures.personas import CHANG, CHEN, CHEN_WIFE, HUANG, LEE, LIN_DAUGHTER, WU

pytestmark = pytest.mark.django_db

GENERATED_AT = timezone.now()
# Resources R4 gives no element that could name the patient.
WITHOUT_PATIENT = {"Organization", "PaymentReconciliation"}


def build(code: str, national_id: str) -> tuple[dict, list]:
    category = BY_CODE[code]
    person = Person.objects.get(national_id=national_id)
    window = category.window(timezone.localdate())
    rows = category.rows(person, window)
    return fhir.fhir_bundle(category, person, rows, window, GENERATED_AT), rows


def admitted() -> str:
    """A persona with a hospital stay in the record window (the seed draws admissions)."""
    stay = (
        Visit.objects.filter(kind=Visit.Kind.INPATIENT, discharge_summary__isnull=False)
        .select_related("person")
        .order_by("-visit_date")
        .first()
    )
    assert stay is not None
    return stay.person.national_id


def resources(bundle: dict, resource_type: str) -> list[dict]:
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type
    ]


def references(value) -> list[str]:
    """Every Reference.reference anywhere inside a resource."""
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [r for v in value.values() for r in references(v)]
    if isinstance(value, list):
        return [r for v in value for r in references(v)]
    return []


def add_allergies_and_wishes() -> None:
    """The personas' seed draws these rarely: 陳志明 gets two allergies, 張淑芬 every wish."""
    chen = Person.objects.get(national_id=CHEN)
    clinic = Provider.objects.exclude(kind=Provider.Kind.AGENCY).order_by("pk").first()
    drug = Drug.objects.filter(atc__isnull=False).order_by("code").first()
    day = timezone.localdate() - dt.timedelta(days=30)
    AllergyFactory(
        person=chen,
        provider=clinic,
        recorded_on=day,
        substance=drug.name_zh,
        drug=drug,
        reaction="皮疹",
        physician="王大明",
    )
    AllergyFactory(person=chen, provider=clinic, recorded_on=day, substance="盤尼西林類")
    chang = Person.objects.get(national_id=CHANG)
    agency = Provider.objects.filter(kind=Provider.Kind.AGENCY).order_by("pk").first()
    for kind in CareWish.Kind.values:
        revoked = day if kind == CareWish.Kind.ORGAN_DONATION else None
        CareWishFactory(
            person=chang,
            provider=agency,
            kind=kind,
            signed_on=day - dt.timedelta(days=400),
            noted_on=day - dt.timedelta(days=380),
            revoked_on=revoked,
        )


def check_valid(bundle: dict) -> None:
    """JSON-serialisable, a valid R4B Bundle whose every entry is valid on its own, ids
    unique, every reference resolved inside the bundle, every record naming the patient."""
    assert json.loads(json.dumps(bundle)) == bundle
    Bundle.model_validate(bundle)
    assert_valid_bundle(bundle)
    assert bundle["type"] == "collection"
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    patient = bundle["entry"][0]
    assert patient["resource"]["resourceType"] == "Patient"
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"].startswith("urn:uuid:")
        refs = references(resource)
        assert set(refs) <= set(urls), resource["resourceType"]
        if resource["resourceType"] not in WITHOUT_PATIENT | {"Patient"}:
            assert patient["fullUrl"] in refs, resource["resourceType"]


def test_every_category_of_every_persona_is_a_valid_bundle(personas):
    add_allergies_and_wishes()
    people = (CHEN, CHANG, LEE, LIN_DAUGHTER, HUANG, CHEN_WIFE, WU)
    seen: Counter = Counter()
    for category in CATEGORIES:
        for national_id in people:
            bundle, rows = build(category.code, national_id)
            check_valid(bundle)
            seen[category.code] += len(rows)
            if not rows:
                assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
    # The personas between them have rows of every category, so each mapping was checked.
    assert all(seen[category.code] for category in CATEGORIES), seen
    # The same rows give the same bundle.
    assert build("outpatient", CHEN)[0] == build("outpatient", CHEN)[0]


def test_patient_is_the_person(personas):
    bundle, _ = build("labs", CHEN)
    patient = bundle["entry"][0]["resource"]
    assert patient["identifier"][0]["system"] == "http://www.moi.gov.tw"
    assert patient["identifier"][0]["value"] == CHEN
    assert patient["gender"] == "male"
    assert patient["name"][0]["text"] == "陳志明"
    assert bundle["timestamp"] == timezone.localtime(GENERATED_AT).isoformat(timespec="seconds")
    assert bundle["timestamp"].endswith("+08:00")
    assert build("labs", CHANG)[0]["entry"][0]["resource"]["gender"] == "female"


def test_the_apis_patient_never_carries_the_national_id(personas):
    """Apps are told they get name, sex and birth date: the API's Patient has this system's
    patient id as the identifier TW Core requires, the package (the person's own) keeps
    the national ID."""
    chen = Person.objects.get(national_id=CHEN)
    patient = fhir.patient_entry(chen, base="https://hb.test/fhir/r4")["resource"]
    assert CHEN not in json.dumps(patient)
    assert patient["identifier"] == [
        {
            "use": "usual",
            "type": {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "PI"}
                ]
            },
            "system": "https://healthbank.example/fhir/sid/patient",
            "value": str(chen.pk),
        }
    ]
    assert (patient["name"][0]["text"], patient["gender"]) == ("陳志明", "male")
    assert patient["birthDate"] == chen.birth_date.isoformat()
    assert_valid(patient)
    kept = fhir.patient_entry(chen, base="https://hb.test/fhir/r4", national_id=True)
    assert kept["resource"]["identifier"][0]["value"] == CHEN


def test_a_person_without_records_gets_just_the_patient(personas):
    for code in ("outpatient", "inpatient", "labs", "vaccinations", "reports", "measurements"):
        bundle, rows = build(code, WU)
        assert rows == []
        assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]


def test_visits_become_encounters_with_their_diagnoses_drugs_and_procedures(personas):
    for code, national_id in (
        ("outpatient", CHEN),
        ("inpatient", admitted()),
        ("dental", HUANG),
        ("tcm", CHEN_WIFE),
    ):
        bundle, visits = build(code, national_id)
        assert visits, code
        encounters = resources(bundle, "Encounter")
        assert len(encounters) == len(visits)
        by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
        encounter_urls = {url for url, r in by_url.items() if r["resourceType"] == "Encounter"}
        conditions = resources(bundle, "Condition")
        requests = resources(bundle, "MedicationRequest")
        procedures = resources(bundle, "Procedure")
        for visit, encounter in zip(visits, encounters, strict=True):
            assert encounter["period"]["start"] == visit.visit_date.isoformat()
            assert encounter["class"]["code"] == ("IMP" if code == "inpatient" else "AMB")
            provider = by_url[encounter["serviceProvider"]["reference"]]
            assert provider["identifier"][0]["value"] == visit.provider.code
            own = next(url for url, r in by_url.items() if r is encounter)
            codes = [
                c["code"]["coding"][0] for c in conditions if c["encounter"]["reference"] == own
            ]
            assert [(c["system"], c["code"]) for c in codes] == [
                (fhir.ICD10CM, d.diagnosis_id) for d in visit.diagnoses.all()
            ]
            ordered = [r for r in requests if r["encounter"]["reference"] == own]
            assert [
                (
                    r["medicationCodeableConcept"]["coding"][0]["code"],
                    r["dispenseRequest"]["expectedSupplyDuration"]["value"],
                    r["dispenseRequest"]["quantity"]["value"],
                )
                for r in ordered
            ] == [(o.drug_id, o.days, float(o.quantity)) for o in visit.drug_orders.all()]
            for request, order in zip(ordered, visit.drug_orders.all(), strict=True):
                atc = [
                    c["code"]
                    for c in request["medicationCodeableConcept"]["coding"]
                    if c["system"] == fhir.ATC
                ]
                assert atc == ([order.drug.atc_id] if order.drug.atc_id else [])
            done = [p for p in procedures if p["encounter"]["reference"] == own]
            assert len(done) >= len(visit.surgeries.all())
        assert {r["encounter"]["reference"] for r in conditions} <= encounter_urls
        if code == "inpatient":
            assert any("bodySite" in p for p in procedures)  # a surgery and its site
        if code == "dental":
            teeth = [p for p in procedures if "bodySite" in p]
            assert teeth and all(
                p["bodySite"][0]["coding"][0]["system"] == fhir.TOOTH for p in teeth
            )


def test_labs_carry_value_range_and_flag_as_recorded(personas):
    bundle, results = build("labs", CHEN)
    observations = resources(bundle, "Observation")
    assert len(observations) == len(results)
    numeric = 0
    for result, observation in zip(results, observations, strict=True):
        item = result.item
        assert observation["code"]["coding"][0]["code"] == item.code
        assert observation["effectiveDateTime"] == result.collected_on.isoformat()
        if "valueQuantity" in observation:
            numeric += 1
            assert observation["valueQuantity"]["value"] == float(result.value)
            assert observation["valueQuantity"]["unit"] == item.unit
        else:
            assert observation["valueString"] == result.value_text
        reference = observation["referenceRange"][0]
        assert reference["text"] == item.reference_text
        if item.reference_high is not None:
            assert reference["high"]["value"] == float(item.reference_high)
        if item.reference_low is not None:
            assert reference["low"]["value"] == float(item.reference_low)
        expected = {"": "N", "H": "H", "L": "L", "A": "A"}[result.flag]
        assert observation["interpretation"][0]["coding"][0]["code"] == expected
    assert numeric


def test_other_records_keep_their_facts(personas):
    bundle, vaccinations = build("vaccinations", LIN_DAUGHTER)
    immunizations = resources(bundle, "Immunization")
    assert len(immunizations) == len(vaccinations) > 0
    assert [
        (i["vaccineCode"]["coding"][0]["code"], i["occurrenceDateTime"]) for i in immunizations
    ] == [(v.vaccine_id, v.given_on.isoformat()) for v in vaccinations]

    bundle, summaries = build("discharge_summaries", admitted())
    documents = resources(bundle, "DocumentReference")
    assert len(documents) == len(summaries) > 0
    text = base64.b64decode(documents[0]["content"][0]["attachment"]["data"]).decode()
    assert summaries[0].chief_complaint in text and summaries[0].course in text
    assert documents[0]["type"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "18842-5",
        "display": "Discharge summary",
    }

    bundle, measurements = build("measurements", CHEN)
    observations = resources(bundle, "Observation")
    panels = [o for o in observations if o["code"]["coding"][0]["code"] == "85354-9"]
    pressures = sum(m.kind in ("systolic", "diastolic") for m in measurements)
    assert panels and all(len(p["component"]) == 2 for p in panels)
    assert len(observations) == len(measurements) - pressures + len(panels)

    bundle, cards = build("cards", CHEN)
    coverages = resources(bundle, "Coverage")
    assert {c["identifier"][0]["value"] for c in coverages} == {i.card.number for i in cards}
    assert sum(c["status"] == "active" for c in coverages) <= 1

    bundle, payments = build("premium_payments", CHEN)
    paid = resources(bundle, "PaymentReconciliation")
    assert [p["paymentAmount"]["value"] for p in paid] == [p.amount for p in payments]


def test_api_resources_are_valid_too(personas):
    add_allergies_and_wishes()
    today = timezone.localdate()
    for category in CATEGORIES:
        for national_id in (CHEN, CHANG, LIN_DAUGHTER, HUANG, CHEN_WIFE):
            person = Person.objects.get(national_id=national_id)
            rows = category.rows(person, category.window(today))
            records, organizations = fhir.api_resources(
                category, person, rows, today=today, base="https://hb.test/fhir/r4"
            )
            for entry in (*records, *organizations):
                assert_valid(entry["resource"])
    assert_valid(fhir.patient_entry(person, base="https://hb.test/fhir/r4")["resource"])


def test_every_resource_names_its_profile_and_has_a_narrative(personas):
    for code in ("labs", "outpatient", "vaccinations", "cards", "preventive", "measurements"):
        bundle, _ = build(code, CHEN if code != "vaccinations" else LIN_DAUGHTER)
        for entry in bundle["entry"]:
            resource = entry["resource"]
            assert resource["text"]["status"] == "generated"
            assert resource["text"]["div"].startswith('<div xmlns="http://www.w3.org/1999/xhtml"')
            if (
                resource["resourceType"] in fhir.PROFILES
                or resource["resourceType"] == "Observation"
            ):
                (profile,) = resource["meta"]["profile"]
                assert profile.startswith(
                    "https://twcore.mohw.gov.tw/ig/twcore/StructureDefinition/"
                ), profile
    labs = resources(build("labs", CHEN)[0], "Observation")
    assert {o["meta"]["profile"][0].rsplit("/", 1)[1] for o in labs} == {
        "Observation-laboratoryResult-twcore"
    }


def test_narratives_escape_what_rows_hold(personas):
    chen = Person.objects.get(national_id=CHEN)
    clinic = Provider.objects.exclude(kind=Provider.Kind.AGENCY).order_by("pk").first()
    AllergyFactory(
        person=chen, provider=clinic, recorded_on=timezone.localdate(), substance="<b>&藥</b>"
    )
    bundle, _ = build("allergies", CHEN)
    (allergy,) = resources(bundle, "AllergyIntolerance")
    assert "&lt;b&gt;&amp;藥&lt;/b&gt;" in allergy["text"]["div"]
    assert_valid_bundle(bundle)


def test_labs_carry_loinc_beside_the_nhi_code(personas):
    bundle, results = build("labs", CHEN)
    for result, observation in zip(results, resources(bundle, "Observation"), strict=True):
        loinc = [c for c in observation["code"]["coding"] if c["system"] == fhir.LOINC]
        assert [c["code"] for c in loinc] == [fhir.LAB_LOINC[result.item_id][0]]
    assert fhir.LAB_LOINC["09006C"][0] == "4548-4"
    assert fhir.LAB_LOINC["EGFR"][0] == "98979-8"


def test_every_lab_item_has_a_loinc_and_every_vaccine_but_two_a_cvx():
    from healthbank.codes.models import LabItem, Vaccine

    assert set(LabItem.objects.values_list("code", flat=True)) == set(fhir.LAB_LOINC)
    without = set(Vaccine.objects.values_list("code", flat=True)) - set(fhir.VACCINE_CVX)
    assert without == {"TDAP-IPV", "JECV1", "JECV2"}  # no CVX: not licensed in the US


def test_preventive_egfr_is_ckd_epi_2021_in_ucum(personas):
    for national_id in (CHEN, CHANG, LEE, HUANG, CHEN_WIFE):
        for observation in resources(build("preventive", national_id)[0], "Observation"):
            coding = observation["code"]["coding"][0]
            if coding["code"] in ("98979-8", "33914-3"):
                assert coding["code"] == "98979-8"
                quantity = observation["valueQuantity"]
                assert (quantity["system"], quantity["code"]) == (fhir.UCUM, "mL/min/{1.73_m2}")
                return
    pytest.fail("no persona has a preventive eGFR")


def test_claim_diagnoses_are_confirmed_and_active_while_recent(personas):
    bundle, visits = build("outpatient", CHEN)
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    today = timezone.localdate()
    for visit, encounter in zip(visits, resources(bundle, "Encounter"), strict=True):
        for diagnosis, link in zip(visit.diagnoses.all(), encounter["diagnosis"], strict=True):
            condition = by_url[link["condition"]["reference"]]
            assert condition["verificationStatus"]["coding"][0]["code"] == "confirmed"
            recent = (today - visit.visit_date).days <= fhir.ACUTE_ACTIVE_DAYS
            expected = "active" if diagnosis.diagnosis.chronic or recent else "resolved"
            assert condition["clinicalStatus"]["coding"][0]["code"] == expected


def test_each_visit_is_a_claim_with_points_and_copayment(personas):
    for code, national_id, claim_type in (
        ("outpatient", CHEN, None),
        ("inpatient", admitted(), "institutional"),
        ("dental", HUANG, "oral"),
        ("tcm", CHEN_WIFE, "professional"),
    ):
        bundle, visits = build(code, national_id)
        claims = resources(bundle, "ExplanationOfBenefit")
        urls = {e["fullUrl"] for e in bundle["entry"]}
        assert len(claims) == len(visits)
        for visit, claim in zip(visits, claims, strict=True):
            expected = claim_type or (
                "pharmacy" if visit.kind == Visit.Kind.PHARMACY else "professional"
            )
            assert claim["type"]["coding"][0]["code"] == expected
            assert claim["adjudication"][0]["value"] == visit.points
            assert claim["total"][0]["amount"] == {"value": visit.copayment, "currency": "TWD"}
            assert claim["total"][0]["category"]["coding"][0]["code"] == "paidbypatient"
            assert {d["diagnosisReference"]["reference"] for d in claim["diagnosis"]} <= urls
            drugs = [
                i["productOrService"]["coding"][0]["code"]
                for i in claim.get("item", [])
                if i["productOrService"]["coding"][0]["system"] in (fhir.NHI_DRUG, fhir.NHI_HERB)
            ]
            assert drugs == [o.drug_id for o in visit.drug_orders.all()]
