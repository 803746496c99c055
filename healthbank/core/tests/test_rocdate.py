import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from healthbank.core.rocdate import parse_roc, to_roc


def test_roc_dates_as_nhia_prints_them():
    assert to_roc(dt.date(2016, 10, 27)) == "105/10/27"
    assert to_roc(dt.date(2003, 5, 1)) == "092/05/01"
    assert to_roc(dt.date(2016, 10, 27), sep="") == "1051027"


@given(st.dates(min_value=dt.date(1912, 1, 1), max_value=dt.date(2910, 12, 31)))
def test_parse_inverts_format(day):
    assert parse_roc(to_roc(day)) == day
    assert parse_roc(to_roc(day, sep="")) == day


@pytest.mark.parametrize("text", ["", "105/13/01", "105/02/30", "2016-10-27", "abc"])
def test_bad_roc_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_roc(text)


@pytest.mark.parametrize(("language", "expected"), [("zh-hant", "105/10/27"), ("en", "2016-10-27")])
def test_filter_follows_the_language(language, expected):
    template = Template("{% load rocdate %}{{ day|rocdate }}")
    with translation.override(language):
        assert template.render(Context({"day": dt.date(2016, 10, 27)})) == expected


def test_filter_uses_taipei_date_of_a_datetime():
    template = Template("{% load rocdate %}{{ moment|rocdate }}")
    late_utc = dt.datetime(2016, 10, 26, 17, 0, tzinfo=dt.UTC)  # 01:00 on the 27th in Taipei
    with translation.override("zh-hant"):
        assert template.render(Context({"moment": late_utc})) == "105/10/27"
