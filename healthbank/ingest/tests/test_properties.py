"""Hostile input, generated: the readers and the validation never raise (every refusal is a
Problem), and processing a batch never leaves half a record."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthbank.ingest import services
from healthbank.ingest.fields import COMMON, FIELDS
from healthbank.ingest.formats.csv import rows_from_csv
from healthbank.ingest.formats.ndjson import rows_from_ndjson
from healthbank.ingest.models import Batch
from healthbank.ingest.rows import TYPES, Problem
from healthbank.ingest.tests.helpers import ndjson, visit_row
from healthbank.ingest.validate import parse_row
from healthbank.records.models import DrugOrder, Visit, VisitDiagnosis

NAMES = sorted(set(COMMON) | {name for spec in FIELDS.values() for name in spec})
hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "=1+2",
            "@SUM(A1)",
            "+cmd|' /C calc'!A0",
            "-",
            "2+",
            "\x00",
            "\ud800",
            "2024-02-30",
            "9999-12-31",
            "1e999",
            "NaN",
            "-1",
            "I10",
            "A100000001",
        ]
    ),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
random_rows = st.fixed_dictionaries(
    {"type": st.sampled_from(TYPES) | hostile_text},
    optional={name: json_values for name in NAMES if name != "type"} | {"extra": json_values},
)
# A good visit with one field made hostile: these reach the database checks.
spoilt_visits = st.builds(
    lambda name, value: {**visit_row(), name: value}, st.sampled_from(NAMES), json_values
)
rows = random_rows | spoilt_visits


def check_items(items) -> None:
    for position, row in items:
        assert isinstance(position, int) and position >= 1
        assert isinstance(row, dict | Problem)


@settings(max_examples=300)
@given(st.binary(max_size=2000))
def test_ndjson_reader_never_raises_on_any_bytes(data):
    check_items(rows_from_ndjson(io.BytesIO(data)))


@settings(max_examples=300)
@given(st.binary(max_size=2000) | st.text(max_size=500).map(str.encode))
def test_csv_reader_never_raises_on_any_bytes(data):
    check_items(
        rows_from_csv(io.BytesIO(b"type,id,national_id,diagnoses,drug_orders,copayment\n" + data))
    )
    check_items(rows_from_csv(io.BytesIO(data)))


@settings(max_examples=500)
@given(rows)
def test_validation_never_raises_and_refuses_with_problems(row):
    clean, problems = parse_row(1, row, scopes=frozenset(TYPES), today=dt.date(2026, 1, 1))
    assert (clean is None) == bool(problems)
    assert all(isinstance(p, Problem) and p.position == 1 for p in problems)


@settings(max_examples=200)
@given(rows)
def test_csv_of_any_row_is_read_or_refused(row):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(row))
    writer.writeheader()
    writer.writerow({k: v if isinstance(v, str) else json.dumps(v) for k, v in row.items()})
    check_items(rows_from_csv(io.BytesIO(buffer.getvalue().encode("utf-8", "surrogatepass"))))


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "replace")  # hypothesis' text may hold lone surrogates


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    hostile=st.lists(rows, min_size=1, max_size=4),
    lines=st.lists(st.binary(max_size=60) | st.text(max_size=60).map(_utf8)),
)
def test_a_batch_of_hostile_rows_writes_whole_records_or_nothing(world, upload, hostile, lines):
    good = visit_row("GOOD")
    data = ndjson(good) + b"\n".join(lines) + b"\n"
    data += b"".join(json.dumps(r, ensure_ascii=True).encode() + b"\n" for r in hostile)
    before = (Visit.objects.count(), Batch.objects.count())
    try:
        batch = upload(world.hospital_token, data)
    except services.IngestError as refused:  # a line not UTF-8: refused whole at upload
        assert refused.code == "not_text"
        assert (Visit.objects.count(), Batch.objects.count()) == before
        return
    assert batch.status == "done"
    assert batch.received == batch.accepted + batch.rejected + batch.voided
    # Every visit there is whole: its diagnoses match the primary one, orders belong to it.
    for visit in Visit.objects.all():
        assert visit.diagnoses.filter(rank=1).get().diagnosis_id == visit.primary_diagnosis_id
    assert not VisitDiagnosis.objects.filter(visit__isnull=True).exists()
    assert DrugOrder.objects.filter(visit__source_id="GOOD").count() == 1
