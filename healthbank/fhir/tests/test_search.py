"""fhir/search.py: every date a client can send is either a range the search and its
window use without error, or a 400 with a stable code; never an exception."""

from __future__ import annotations

import datetime as dt

from django.utils.datastructures import MultiValueDict
from hypothesis import example, given, settings
from hypothesis import strategies as st

from healthbank.fhir.search import DATE_PREFIXES, TYPES, SearchError, date_test, parse
from healthbank.records.rules import Window

WIDEST = Window(dt.date.min, dt.date.max)
# A type of each kind of narrowing: none, the upper bound, both bounds.
SPECS = [TYPES["Coverage"], TYPES["Encounter"], TYPES["Observation"]]


def _two(low: int, high: int) -> st.SearchStrategy[str]:
    """Two digits, low..high, the ends and the calendar's (1, 12, 31) often."""
    edges = sorted({low, high} | {n for n in (1, 12, 23, 31) if low <= n <= high})
    numbers = st.one_of(st.sampled_from(edges), st.integers(low, high))
    return numbers.map(lambda n: f"{n:02d}")


# Dates shaped like FHIR's, each part anywhere in its range and past it.
_YEARS = st.one_of(st.sampled_from([0, 1, 2, 9998, 9999]), st.integers(0, 9999))
_TIMES = st.one_of(
    st.just(""),
    st.tuples(_two(0, 24), _two(0, 60), _two(0, 61)).map("T{0[0]}:{0[1]}:{0[2]}".format),
    st.tuples(_two(0, 24), _two(0, 60)).map("T{0[0]}:{0[1]}".format),
)
_OFFSETS = st.one_of(
    st.sampled_from(["", "Z"]),
    st.tuples(st.sampled_from("+- "), _two(0, 24), _two(0, 59)).map("{0[0]}{0[1]}:{0[2]}".format),
)
_SHAPED = st.tuples(
    _YEARS.map(lambda n: f"{n:04d}"),
    st.lists(_two(0, 13), max_size=1).map(lambda m: "".join(f"-{x}" for x in m)),
    st.lists(_two(0, 32), max_size=1).map(lambda d: "".join(f"-{x}" for x in d)),
    _TIMES,
    _OFFSETS,
).map("".join)
# Real days, datetime's first and last ones often, at every precision and offset.
_DAYS = st.one_of(st.sampled_from([dt.date.min, dt.date.max]), st.dates())
_REAL = st.tuples(_DAYS, st.sampled_from([4, 7, 10, 0, 0, 0]), _TIMES, _OFFSETS).map(
    lambda t: t[0].isoformat()[: t[1]] if t[1] else t[0].isoformat() + (t[2] or "T00:00") + t[3]
)
_PREFIX = st.sampled_from(["", *DATE_PREFIXES, "sa", "eb", "ap", "xx"])
DATES = st.one_of(st.tuples(_PREFIX, st.one_of(_REAL, _SHAPED)).map("".join), st.text(max_size=40))


@settings(max_examples=500)  # cheap: no database
@given(DATES)
@example("0001-01-01T00:00+14:00")
@example("le0001-01-01T00:00+14:00")
@example("9999-12-31T23:58-14:00")
@example("ge9999-12-30T23:59:59.999999999-23:59")
@example("2024-01-01\n")
def test_every_date_is_a_range_the_search_uses_or_a_400(text):
    try:
        test = date_test(text)
    except SearchError as error:
        assert error.code in ("invalid_date", "unsupported_prefix")
        return
    assert test.low < test.high
    test.matches((test.low, test.high))
    for spec in SPECS:
        for key in ("date", "_lastUpdated"):
            query = parse(spec, MultiValueDict({key: [text]}), patient_id="1", strict=True)
            query.window(WIDEST)
            query.matches({"id": "1", "meta": {"lastUpdated": "2024-01-01T00:00:00Z"}})
