"""The FHIR R4 Bundle reader: each resource's mapping (the example Bundles), reading back
what fhir/mapping.py writes, and hostile input that must give problems, never raise."""

from __future__ import annotations

import base64
import copy
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthbank.fhir import mapping as out
from healthbank.fhir.tests.test_mapping import add_allergies_and_wishes, admitted, build
from healthbank.ingest.formats.fhir import (
    INTERNAL_ERROR,
    MAX_BUNDLE_BYTES,
    WHOLE_BUNDLE,
    rows_from_bundle,
)
from healthbank.ingest.rows import TYPES, Problem
from healthbank.people.models import Person
from healthbank.records.models import (
    Allergy,
    CareWish,
    DischargeSummary,
    ImagingReport,
    LabResult,
    Vaccination,
    Visit,
)
from tests.fixtures.personas import (
    CHANG,
    CHEN,
    HUANG,
    LIN_DAUGHTER,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "fhir"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))


def read(bundle: dict | bytes) -> list[tuple[int, dict | Problem]]:
    data = bundle if isinstance(bundle, bytes) else json.dumps(bundle).encode()
    return list(rows_from_bundle(io.BytesIO(data)))


def rows(bundle: dict | bytes) -> list[dict]:
    """The rows of a Bundle that must read without a problem."""
    results = read(bundle)
    problems = [r for _, r in results if isinstance(r, Problem)]
    assert not problems, problems
    return [r for _, r in results]  # type: ignore[misc]


def problems(bundle: dict | bytes) -> list[Problem]:
    return [r for _, r in read(bundle) if isinstance(r, Problem)]


def resource(bundle: dict, resource_type: str) -> dict:
    return next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type
    )


# -- each resource, from the example Bundles -----------------------------------------------


def test_an_encounter_with_its_conditions_orders_and_procedures_is_one_visit():
    assert read(example("visit")) == [
        (
            2,
            {
                "type": "visit",
                "id": "V20240102-0001",
                "national_id": "A123456789",
                "kind": "western",
                "visit_date": "2024-01-02",
                "department": "02",
                "copayment": 50,
                "points": 1254,
                "card_sequence": "0012",
                "refill_number": 1,
                "diagnoses": ["I10", "E11.9"],
                "chronic_refill": True,
                "drug_orders": [
                    {"drug": "AC57114100", "days": 28, "quantity": 28, "frequency": "QD"}
                ],
                "service_orders": [{"service": "48011C"}],
            },
        )
    ]


def test_diagnoses_follow_rank_not_entry_order():
    bundle = example("visit")
    diagnoses = resource(bundle, "Encounter")["diagnosis"]
    diagnoses[0]["rank"], diagnoses[1]["rank"] = 2, 1
    assert rows(bundle)[0]["diagnoses"] == ["E11.9", "I10"]


def test_a_dental_procedure_names_its_tooth():
    bundle = example("visit")
    resource(bundle, "Procedure")["bodySite"] = [
        {"coding": [{"system": out.TOOTH, "code": "36"}], "text": "左下第一大臼齒"}
    ]
    assert rows(bundle)[0]["service_orders"] == [{"service": "48011C", "tooth": "36"}]


def test_an_inpatient_stay_with_surgery_and_its_discharge_summary():
    visit, summary = rows(example("inpatient-stay"))
    # Relative references (Patient/p1, Encounter/adm-88) resolve; the health bank's own
    # visit identifier "<provider code>-<record id>" gives the record id.
    assert visit["id"] == "ADM88"
    assert visit["kind"] == "inpatient"
    assert (visit["visit_date"], visit["discharge_date"]) == ("2024-03-04", "2024-03-07")
    assert visit["diagnoses"] == ["K35.80"]
    assert visit["surgeries"] == [
        {"service": "74004B", "body_site": "APPENDIX", "performed_on": "2024-03-04"}
    ]
    assert summary == {
        "type": "discharge_summary",
        "id": "DS-ADM88",
        "national_id": "E223456785",
        "visit": "ADM88",
        "admitted_on": "2024-03-04",
        "discharged_on": "2024-03-07",
        "chief_complaint": "Right lower quadrant pain for one day.",
        "diagnoses": "Acute appendicitis",
        "course": "Laparoscopic appendectomy on day one.\n\nAfebrile afterwards.",
        "procedures": "Laparoscopic appendectomy",
        "discharge_plan": "Wound care; surgery clinic in one week.",
    }


def test_lab_results_numeric_and_qualitative():
    numeric, qualitative = rows(example("lab-result"))
    assert numeric == {
        "type": "lab_result",
        "id": "L-2024-0102-7",
        "national_id": "A123456789",
        "item": "09006C",
        "collected_on": "2024-01-02",
        "value": 7.2,
        "value_text": "7.2",
        "flag": "H",
        "visit": "V20240102-0001",
    }
    assert qualitative["value_text"] == "陰性"
    assert "value" not in qualitative and "flag" not in qualitative


def test_imaging_report():
    assert rows(example("imaging-report")) == [
        {
            "type": "imaging_report",
            "id": "RAD-55120",
            "national_id": "H123456786",  # a logical reference: the Patient by identifier
            "kind": "imaging",
            "service": "32001C",
            "body_site": "CHEST",
            "examined_on": "2024-02-10",
            "findings": "Heart size normal. Both lung fields clear.",
            "impression": "No active lung lesion.",
        }
    ]


def test_allergy_vaccination_and_care_wish():
    assert rows(example("allergy")) == [
        {
            "type": "allergy",
            "id": "ALG-31",
            "national_id": "A123456789",
            "recorded_on": "2024-01-02",
            "substance": "Amlodipine",
            "drug": "AC57114100",
            "reaction": "皮疹",
            "physician": "王大明",
        }
    ]
    assert rows(example("vaccination")) == [
        {
            "type": "vaccination",
            "id": "NIS-2024-000123",
            "national_id": "F224681354",
            "vaccine": "FLU",
            "given_on": "2024-10-15",
            "lot_number": "FL2024-A17",
        }
    ]
    bundle = example("care-wish")
    assert rows(bundle) == [
        {
            "type": "care_wish",
            "id": "HOS-000877",
            "national_id": "E223456785",
            "kind": "hospice",
            "signed_on": "2023-05-02",
            "noted_on": "2023-05-20",
        }
    ]
    resource(bundle, "Consent")["provision"]["period"]["end"] = "2024-01-09"
    assert rows(bundle)[0]["revoked_on"] == "2024-01-09"


def test_preventive_check_panel_with_components_and_members():
    (check,) = rows(example("preventive-check"))  # its member Observations are consumed
    assert check["id"] == "APC-2024-99812"
    assert check["checked_on"] == "2024-04-18"
    assert (check["height_cm"], check["weight_kg"], check["bmi"]) == (168.5, 72.4, 25.5)
    assert (check["systolic"], check["diastolic"]) == (138, 86)
    assert check["total_cholesterol"] == 212  # the lipid result's member
    assert check["urine_protein"] == "-"
    assert (check["hbsag"], check["anti_hcv"]) == ("negative", "not_done")
    assert check["blood_pressure_result"] == "abnormal"
    assert check["lipid_result"] == "normal"
    assert check["kidney_result"] == "not_done"


def test_delete_and_entered_in_error_void():
    assert rows(example("void")) == [
        {"type": "visit", "id": "V20240102-0001", "void": True},
        {"type": "lab_result", "id": "L7", "void": True},
        {"type": "vaccination", "id": "NIS-2024-000123", "void": True},
    ]
    bundle = example("vaccination")
    resource(bundle, "Immunization")["status"] = "entered-in-error"
    assert rows(bundle) == [{"type": "vaccination", "id": "NIS-2024-000123", "void": True}]


# -- refusals ------------------------------------------------------------------------------


def test_whole_file_refusals_name_the_problem():
    not_bundle = {"resourceType": "Patient"}
    searchset = {"resourceType": "Bundle", "type": "searchset", "entry": [{}]}
    cases = {
        b"{not json": "not JSON",
        b"[]": "one JSON object",
        json.dumps(not_bundle).encode(): '"Bundle"',
        json.dumps(searchset).encode(): "batch",
        json.dumps(example("visit")).encode("utf-16"): "not UTF-8",
        b"\xef\xbb\xbf"
        + json.dumps({"resourceType": "Bundle", "type": "batch"}).encode(): "entries",
        b" " * (MAX_BUNDLE_BYTES + 1): "MAX_BUNDLE_BYTES",
        b"[" * 100_000 + b"]" * 100_000: "nested too deeply",
        b'{"a": NaN}': "not JSON",
    }
    for data, words in cases.items():
        (result,) = read(data)
        assert result[0] == WHOLE_BUNDLE == 1
        assert isinstance(result[1], Problem) and words in result[1].message, result
        assert result[1].field.startswith("Bundle") and not result[1].field.startswith("Bundle.e")


def test_big5_text_is_not_utf8():
    data = json.dumps(example("allergy"), ensure_ascii=False).encode("big5")
    assert "not UTF-8" in problems(data)[0].message


def test_missing_national_id_is_reported_at_the_entry_with_its_path():
    bundle = example("lab-result")
    bundle["entry"][0]["resource"]["identifier"][0]["system"] = "https://clinic.example/mrn"
    found = problems(bundle)
    assert {(p.position, p.field) for p in found} == {
        (2, "Observation.subject"),
        (3, "Observation.subject"),
    }
    assert "http://www.moi.gov.tw" in found[0].message


def test_a_wrong_type_is_reported_with_its_fhir_path():
    bundle = example("visit")
    resource(bundle, "Encounter")["period"] = {"start": "yesterday"}
    (problem, *_) = problems(bundle)
    assert (problem.position, problem.field) == (2, "Encounter.period.start")


def test_unknown_references_are_reported():
    bundle = example("visit")
    resource(bundle, "MedicationRequest")["encounter"] = {"reference": "Encounter/nowhere"}
    resource(bundle, "Encounter")["subject"] = {"reference": "urn:uuid:nobody"}
    found = {(p.position, p.field) for p in problems(bundle)}
    assert (5, "MedicationRequest.encounter") in found
    assert (2, "Encounter.subject.reference") in found
    assert not [r for _, r in read(bundle) if isinstance(r, dict)]


def test_a_bad_part_refuses_the_whole_visit():
    bundle = example("visit")
    resource(bundle, "MedicationRequest")["medicationCodeableConcept"] = {"text": "aspirin"}
    results = read(bundle)
    assert not [r for _, r in results if isinstance(r, dict)]
    fields = {(p, r.field) for p, r in results}
    assert (5, "MedicationRequest.medicationCodeableConcept.coding") in fields
    assert (2, "Encounter") in fields  # the visit says why it was refused


def test_unsupported_resources_are_reported_and_the_rest_is_read():
    bundle = example("allergy")
    bundle["entry"].append(
        {
            "resource": {"resourceType": "Appointment", "status": "booked", "participant": []},
            "request": {"method": "POST", "url": "Appointment"},
        }
    )
    results = read(bundle)
    assert results[0][1]["type"] == "allergy"
    assert results[1][0] == 3 and "Appointment is not a resource" in results[1][1].message


def test_batch_entries_need_a_request_and_known_methods():
    bundle = example("vaccination")
    del bundle["entry"][0]["request"]
    assert problems(bundle)[0].field == "Bundle.entry.request"
    bundle["entry"][0]["request"] = {"method": "PATCH", "url": "Immunization/1"}
    assert problems(bundle)[0].field == "Bundle.entry.request.method"
    bundle["type"] = "collection"  # a download: entries without a request are upserts
    del bundle["entry"][0]["request"]
    assert rows(bundle)[0]["type"] == "vaccination"


def test_text_that_cannot_be_stored_is_refused():
    bundle = example("allergy")
    resource(bundle, "AllergyIntolerance")["reaction"][0]["manifestation"][0]["text"] = "a\x00b"
    assert "NUL" in problems(bundle)[0].message


# -- reading back what fhir/mapping.py writes ---------------------------------------------


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def expected_visit(visit: Visit) -> dict:
    """A visit as its download carries it: fees, points, the card sequence, the refill's
    number and orders that are not procedures stay out of FHIR (fhir/mapping.py)."""
    diagnoses = [d.diagnosis_id for d in visit.diagnoses.all()] or [visit.primary_diagnosis_id]
    row: dict = {
        "type": "visit",
        "id": visit.source_id,
        "national_id": visit.person.national_id,
        "kind": visit.kind,
        "visit_date": visit.visit_date.isoformat(),
        "department": visit.department_id,
        "diagnoses": diagnoses,
        "chronic_refill": visit.chronic_refill and visit.drug_orders.exists(),
    }
    if visit.kind == Visit.Kind.INPATIENT and visit.discharge_date:
        row["discharge_date"] = visit.discharge_date.isoformat()
    drugs = [
        {"drug": o.drug_id, "days": o.days, "quantity": _number(o.quantity)}
        | ({"frequency": o.frequency} if o.frequency else {})
        for o in visit.drug_orders.all()
    ]
    surgeries = [
        {"service": s.service_id, "body_site": s.body_site_id, "performed_on": str(s.performed_on)}
        for s in visit.surgeries.all()
    ]
    operated = {s["service"] for s in surgeries}
    orders = [
        {"service": o.service_id} | ({"tooth": o.tooth_id} if o.tooth_id else {})
        for o in visit.service_orders.all()
        if o.service.category in out._PROCEDURE_SERVICES and o.service_id not in operated
    ]
    for key, value in (
        ("drug_orders", drugs),
        ("service_orders", orders),
        ("surgeries", surgeries),
    ):
        if value:
            row[key] = value
    return row


def read_back(code: str, national_id: str) -> tuple[list[dict], list]:
    bundle, records = build(code, national_id)
    # The download is a collection; a provider would send it as a batch.
    return rows(json.dumps(bundle).encode()), records


def sort_key(row: dict) -> tuple:
    return (row["type"], row["id"])


@pytest.mark.usefixtures("personas")
def test_visits_read_back_from_a_download():
    seen = set()
    for code, national_id in (
        ("outpatient", CHEN),
        ("tcm", "A223456781"),
        ("dental", HUANG),
        ("inpatient", admitted()),
    ):
        got, visits = read_back(code, national_id)
        assert visits, code
        expected = [expected_visit(v) for v in visits]
        assert sorted(got, key=sort_key) == sorted(expected, key=sort_key), code
        seen |= {key for row in got for key in row}
    # Between them the personas' visits exercised every part of a visit.
    assert {"drug_orders", "service_orders", "surgeries", "discharge_date"} <= seen


@pytest.mark.usefixtures("personas")
def test_labs_read_back_from_a_download():
    got, results = read_back("labs", CHEN)
    assert results
    expected = []
    for result in results:
        row = {
            "type": "lab_result",
            "id": result.source_id,
            "national_id": CHEN,
            "item": result.item_id,
            "collected_on": result.collected_on.isoformat(),
            "value_text": result.value_text,
            "flag": result.flag,
        }
        if result.value is not None and result.item.kind == result.item.Kind.NUMERIC:
            row["value"] = _number(result.value)
        expected.append(row)
    assert sorted(got, key=sort_key) == sorted(expected, key=sort_key)
    assert LabResult.objects.filter(source_id__in=[r["id"] for r in got]).count() == len(got)


@pytest.mark.usefixtures("personas")
def test_allergies_vaccinations_and_wishes_read_back_from_a_download():
    add_allergies_and_wishes()
    got, allergies = read_back("allergies", CHEN)
    assert sorted(got, key=sort_key) == sorted(
        (
            {
                "type": "allergy",
                "id": a.source_id,
                "national_id": CHEN,
                "recorded_on": a.recorded_on.isoformat(),
                "substance": a.substance,
            }
            | ({"drug": a.drug_id} if a.drug_id else {})
            | ({"reaction": a.reaction} if a.reaction else {})
            | ({"physician": a.physician} if a.physician else {})
            for a in allergies
        ),
        key=sort_key,
    )
    assert len(got) == Allergy.objects.filter(person__national_id=CHEN).count() == 2

    got, vaccinations = read_back("vaccinations", LIN_DAUGHTER)
    assert vaccinations
    assert sorted(got, key=sort_key) == sorted(
        (
            {
                "type": "vaccination",
                "id": v.source_id,
                "national_id": LIN_DAUGHTER,
                "vaccine": v.vaccine_id,
                "given_on": v.given_on.isoformat(),
            }
            | ({"lot_number": v.lot_number} if v.lot_number else {})
            for v in vaccinations
        ),
        key=sort_key,
    )
    assert all(isinstance(v, Vaccination) for v in vaccinations)

    got, wishes = read_back("wishes", CHANG)
    assert sorted(got, key=sort_key) == sorted(
        (
            {
                "type": "care_wish",
                "id": w.source_id,
                "national_id": CHANG,
                "kind": w.kind,
                "signed_on": w.signed_on.isoformat(),
                "noted_on": w.noted_on.isoformat(),
            }
            | ({"revoked_on": w.revoked_on.isoformat()} if w.revoked_on else {})
            for w in wishes
        ),
        key=sort_key,
    )
    assert len(got) == CareWish.objects.count() == 4


@pytest.mark.usefixtures("personas")
def test_reports_and_discharge_summaries_read_back_from_a_download():
    """Body sites of reports are not in the download (DiagnosticReport has no element for
    them): everything else comes back."""
    national_id = admitted()
    got, summaries = read_back("discharge_summaries", national_id)
    summary: DischargeSummary = summaries[0]
    row = next(r for r in got if r["id"] == summary.source_id)
    for name in ("chief_complaint", "diagnoses", "course", "discharge_plan"):
        assert row[name] == getattr(summary, name), name
    assert row["visit"] == summary.visit.source_id
    assert (row["admitted_on"], row["discharged_on"]) == (
        summary.admitted_on.isoformat(),
        summary.discharged_on.isoformat(),
    )
    person = Person.objects.filter(national_id__in=[CHEN, CHANG, national_id])
    report = ImagingReport.objects.filter(person__in=person).order_by("pk").first()
    assert report is not None
    got, _ = read_back("reports", report.person.national_id)
    row = next(r for r in got if r["id"] == report.source_id)
    assert (row["kind"], row["service"], row["examined_on"]) == (
        report.kind,
        report.service_id,
        report.examined_on.isoformat(),
    )
    assert (row["findings"], row["impression"]) == (report.findings, report.impression)


# -- hostile input: problems, never an exception --------------------------------------------


def check_results(data: bytes) -> list[tuple[int, dict | Problem]]:
    """Read `data`: every result a (position, Problem) or (position, valid row), in order."""
    results = list(rows_from_bundle(io.BytesIO(data)))
    positions = [position for position, _ in results]
    assert positions == sorted(positions)
    for position, result in results:
        assert isinstance(position, int) and position >= 1
        if isinstance(result, Problem):
            assert result.message and result.message != INTERNAL_ERROR, result
            assert isinstance(result.field, str) and len(result.field) <= 100
            assert result.position == position
            continue
        assert isinstance(result, dict), result
        assert result["type"] in TYPES and isinstance(result["id"], str)
        assert result.get("void") is True or isinstance(result["national_id"], str)
        json.dumps(result, ensure_ascii=False).encode("utf-8")  # JSON values, storable text
    return results


EXAMPLE_NAMES = sorted(path.stem for path in EXAMPLES.glob("*.json"))
json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["", "\x00", "\ud800", "2024-02-30", "Patient/1", "urn:uuid:x", "9" * 5000])
)
json_values = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def paths(value, prefix: tuple = ()) -> list[tuple]:
    """Every path to an element inside a JSON value."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def replaced(value, path: tuple, new):
    value = copy.deepcopy(value)
    target = value
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return value


HOSTILE = [None, 0, -1, 1.5, True, "", "x" * 100_000, [], {}, ["a"], {"a": 1}, "\x00", "\ud800"]


def test_every_element_of_every_example_replaced_by_a_wrong_type():
    for name in EXAMPLE_NAMES:
        bundle = example(name)
        for index, path in enumerate(paths(bundle)):
            for new in (HOSTILE[index % len(HOSTILE)], HOSTILE[(index * 7 + 3) % len(HOSTILE)]):
                check_results(
                    json.dumps(replaced(bundle, path, new)).encode("utf-8", "surrogatepass")
                )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(EXAMPLE_NAMES), st.data(), json_values)
def test_random_elements_replaced_by_random_json(name, data, new):
    bundle = example(name)
    path = data.draw(st.sampled_from(paths(bundle)))
    check_results(json.dumps(replaced(bundle, path, new)).encode("utf-8", "surrogatepass"))


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_random_json_as_a_resource(value):
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [{"resource": value}]}
    check_results(json.dumps(bundle).encode("utf-8", "surrogatepass"))
    if isinstance(value, dict):
        for resource_type in ("Encounter", "Observation", "Consent", "Condition"):
            bundle["entry"] = [{"resource": {**value, "resourceType": resource_type}}]
            check_results(json.dumps(bundle).encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(data):
    check_results(data)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(EXAMPLE_NAMES), st.integers(min_value=0), st.binary(min_size=1, max_size=8))
def test_example_bytes_broken(name, where, junk):
    data = (EXAMPLES / f"{name}.json").read_bytes()
    where %= len(data)
    check_results(data[:where] + junk + data[where + len(junk) :])


def test_deep_nesting_and_huge_strings_inside_resources():
    bundle = example("allergy")
    resource(bundle, "AllergyIntolerance")["extension"] = "DEEP"
    deep = '{"url": "u", "extension": [' * 5000 + '{"url": "u"}' + "]}" * 5000
    data = json.dumps(bundle).replace('"DEEP"', f"[{deep}]").encode()
    ((position, problem),) = check_results(data)
    assert position == WHOLE_BUNDLE and "nested too deeply" in problem.message
    for depth in (30, 300):  # a path longer than a problem's field; Python's recursion limit
        deep = '{"url": "u", "extension": [' * depth + '{"url": 5}' + "]}" * depth
        found = check_results(json.dumps(bundle).replace('"DEEP"', f"[{deep}]").encode())
        assert found and all(isinstance(problem, Problem) for _, problem in found)

    bundle = example("allergy")
    resource(bundle, "AllergyIntolerance")["recorder"]["display"] = "醫" * 2_000_000
    ((_, row),) = check_results(json.dumps(bundle, ensure_ascii=False).encode())
    assert len(row["physician"]) == 2_000_000  # too long for the model: validation's to say

    bundle = example("imaging-report")
    junk = base64.b64encode(b"\xff\xfe" * 10).decode()
    resource(bundle, "DiagnosticReport")["presentedForm"][0]["data"] = junk
    assert "UTF-8" in problems(bundle)[0].message
