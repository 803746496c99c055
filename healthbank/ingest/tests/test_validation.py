"""Row checks: scopes, person and insurance on the record's date, codes, dates, quantities,
unknown fields, formula-looking text. Each refused row is reported by position and field."""

from __future__ import annotations

import pytest

from healthbank.core.tests.digits import OTHER_SCRIPTS, written_in
from healthbank.ingest.tests.helpers import BOB, NOBODY, days_ago, ndjson, problems, visit_row
from healthbank.records.models import LabResult, Vaccination, Visit

pytestmark = pytest.mark.django_db


def refused(batch) -> list[tuple[int, str]]:
    return [(position, field) for position, field, _ in problems(batch)]


def test_the_cdc_cannot_send_visits(world, upload):
    batch = upload(world.cdc_token, ndjson(visit_row()))
    assert refused(batch) == [(1, "type")]
    assert "may not send visit rows" in problems(batch)[0][2]
    assert not Visit.objects.exists()


def test_the_cdc_sends_vaccinations_even_for_someone_not_insured_that_day(world, upload):
    row = {
        "type": "vaccination",
        "id": "X1",
        "national_id": BOB,
        "vaccine": "HBIG",
        "given_on": "2010-05-01",
    }
    batch = upload(world.cdc_token, ndjson(row))
    assert (batch.accepted, refused(batch)) == (1, [])
    assert Vaccination.objects.get().person == world.bob


def test_a_hospital_cannot_send_vaccinations(world, upload):
    row = {
        "type": "vaccination",
        "id": "X1",
        "national_id": BOB,
        "vaccine": "HBIG",
        "given_on": "2010-05-01",
    }
    assert refused(upload(world.hospital_token, ndjson(row))) == [(1, "type")]


def test_the_person_must_exist_and_be_insured_on_the_visit_date(world, upload):
    batch = upload(
        world.hospital_token,
        ndjson(
            visit_row("A", national_id=NOBODY),
            visit_row("B", national_id=BOB),  # insured 2020-2021 only
            visit_row("C", national_id=BOB, visit_date="2021-06-01"),
            visit_row("D", national_id="A123"),
        ),
    )
    assert refused(batch) == [(1, "national_id"), (2, "visit_date"), (4, "national_id")]
    assert "not insured on" in problems(batch)[1][2]
    assert list(Visit.objects.values_list("source_id", flat=True)) == ["C"]
    assert (batch.received, batch.accepted, batch.rejected) == (4, 1, 3)


def test_codes_must_be_in_the_code_tables(world, upload):
    row = visit_row(
        department="ZZ",
        diagnoses=["I10", "NOPE"],
        drug_orders=[{"drug": "X", "days": 1, "quantity": 1}],
        service_orders=[{"service": "00109C", "tooth": "99"}],
    )
    batch = upload(world.hospital_token, ndjson(row))
    assert refused(batch) == [
        (1, "department"),
        (1, "diagnoses[1]"),
        (1, "drug_orders[0].drug"),
        (1, "service_orders[0].tooth"),
    ]
    assert "unknown diagnosis code 'NOPE'" in [m for _, _, m in problems(batch)]


def test_dates_are_real_not_in_the_future_and_in_order(world, upload):
    batch = upload(
        world.hospital_token,
        ndjson(
            visit_row("A", visit_date="2024-02-30"),
            visit_row("B", visit_date=days_ago(-1)),
            visit_row("C", visit_date="20240101"),
            visit_row("D", kind="inpatient", visit_date=days_ago(5), discharge_date=days_ago(6)),
            visit_row("E", discharge_date=days_ago(1)),
            visit_row(
                "F",
                kind="inpatient",
                visit_date=days_ago(5),
                discharge_date=days_ago(1),
                surgeries=[
                    {"service": "74002B", "body_site": "ABDOMEN", "performed_on": days_ago(7)}
                ],
            ),
        ),
    )
    assert refused(batch) == [
        (1, "visit_date"),
        (2, "visit_date"),
        (3, "visit_date"),
        (4, "discharge_date"),
        (5, "discharge_date"),
        (6, "surgeries[0].performed_on"),
    ]
    assert problems(batch)[1][2] == "is in the future"


def test_quantities_must_be_sane(world, upload):
    batch = upload(
        world.hospital_token,
        ndjson(
            visit_row("A", copayment=-1),
            visit_row("B", points=10**12),
            visit_row("C", drug_orders=[{"drug": "AC57114100", "days": 900, "quantity": 1}]),
            visit_row("D", drug_orders=[{"drug": "AC57114100", "days": 1, "quantity": 0}]),
            visit_row("E", drug_orders=[{"drug": "AC57114100", "days": 1, "quantity": "1.234"}]),
            visit_row("F", copayment=True),
            visit_row("G", copayment="50"),
        ),
    )
    assert refused(batch) == [
        (1, "copayment"),
        (2, "points"),
        (3, "drug_orders[0].days"),
        (4, "drug_orders[0].quantity"),
        (5, "drug_orders[0].quantity"),
        (6, "copayment"),
        (7, "copayment"),
    ]


@pytest.mark.parametrize("script", list(OTHER_SCRIPTS))
def test_numbers_and_ids_in_other_scripts_digits_are_refused(world, upload, script):
    """Decimal() and \\d read ١٢ as 12; a record must not be stored from them."""
    quantity = written_in("12", script)
    batch = upload(
        world.hospital_token,
        ndjson(
            visit_row("A", drug_orders=[{"drug": "AC57114100", "days": 1, "quantity": quantity}]),
            visit_row("B", national_id=written_in(BOB, script)),
            visit_row("C", visit_date=written_in("2021-01-05", script)),
        ),
    )
    assert refused(batch) == [
        (1, "drug_orders[0].quantity"),
        (2, "national_id"),
        (3, "visit_date"),
    ]
    assert not Visit.objects.exists()


def test_unknown_fields_and_types_are_refused(world, upload):
    batch = upload(
        world.hospital_token,
        ndjson(
            visit_row("A", colour="red"),
            {"type": "prescription", "id": "B"},
            visit_row("C", drug_orders=[{"drug": "AC57114100", "days": 1, "quantity": 1, "x": 1}]),
            visit_row("D", diagnoses="I10"),
        ),
    )
    assert refused(batch) == [(1, "colour"), (2, "type"), (3, "drug_orders[0].x"), (4, "diagnoses")]


def test_text_that_a_spreadsheet_would_run_is_refused(world, upload):
    def allergy(record_id: str, substance: str) -> dict:
        return {
            "type": "allergy",
            "id": record_id,
            "national_id": world.alice.national_id,
            "recorded_on": days_ago(3),
            "substance": substance,
        }

    batch = upload(
        world.hospital_token,
        ndjson(
            allergy("A", '=HYPERLINK("http://x")'),
            allergy("B", "@SUM(A1)"),
            allergy("C", "+1+2"),
            allergy("D", "Penicillin"),
            allergy("E", "a\u0000b"),
        ),
    )
    assert refused(batch) == [
        (1, "substance"),
        (2, "substance"),
        (3, "substance"),
        (5, "substance"),
    ]


def test_a_lab_result_names_a_visit_of_the_same_person_from_the_same_provider(world, upload):
    def lab(record_id: str, visit: str, national_id: str | None = None) -> dict:
        return {
            "type": "lab_result",
            "id": record_id,
            "national_id": national_id or world.alice.national_id,
            "item": "09006C",
            "collected_on": days_ago(10),
            "value_text": "-",
            "value": "-1.5",
            "flag": "L",
            "visit": visit,
        }

    upload(world.clinic_token, ndjson(visit_row("CLINIC")))
    batch = upload(
        world.hospital_token,
        ndjson(
            visit_row("V1"),
            lab("L1", "V1"),
            lab("L2", "CLINIC"),
            visit_row("V2", national_id=BOB, visit_date="2021-01-01"),
            lab("L3", "V2"),
        ),
    )
    assert refused(batch) == [(3, "visit"), (5, "visit")]
    result = LabResult.objects.get()
    assert (result.visit.source_id, str(result.value), result.value_text) == ("V1", "-1.50", "-")
