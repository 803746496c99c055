"""Date filters: `rocdate` shows 105/10/27 in Chinese and 2016-10-27 in English."""

import datetime as dt

from django import template
from django.utils import timezone, translation

from healthbank.core.rocdate import to_roc

register = template.Library()


def _as_date(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def rocdate(value: dt.date | None) -> str:
    """The date in the reader's calendar: ROC in zh-Hant, ISO 8601 otherwise."""
    if not value:
        return ""
    value = _as_date(value)
    if (translation.get_language() or "").startswith("zh"):
        return to_roc(value)
    return value.isoformat()


@register.filter
def isodate(value: dt.date | None) -> str:
    """The date in ISO 8601 whatever the language (for machine-readable attributes)."""
    return _as_date(value).isoformat() if value else ""


@register.filter
def rocdatetime(value: dt.datetime | None) -> str:
    """Date and local time: 115/11/23 14:05 in Chinese, 2026-11-23 14:05 in English."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{rocdate(local)} {local:%H:%M}"
