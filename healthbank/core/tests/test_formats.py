from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from healthbank.core.numbers import grouped


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_amounts_group_thousands_with_a_comma_in_both_languages(language):
    with translation.override(language):
        assert grouped(34800) == "34,800"
        assert grouped(1234567) == "1,234,567"
        assert grouped(999) == "999" and grouped(0) == "0"
        assert grouped(Decimal("12944.5")) == "12,944.5"
        assert grouped(None) == grouped("") == ""
        rendered = Template("{% load numbers %}{{ points|grouped }} 點").render(
            Context({"points": 12944})
        )
        assert rendered == "12,944 點"
