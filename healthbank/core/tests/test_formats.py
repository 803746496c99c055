from django.template.defaultfilters import floatformat
from django.utils import translation


def test_amounts_group_thousands_with_a_comma_in_both_languages():
    for language in ("zh-hant", "en"):
        with translation.override(language):
            assert floatformat(34800, "0g") == "34,800"
