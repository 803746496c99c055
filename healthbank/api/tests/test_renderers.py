"""The API's renderer (orjson) writes the values ninja's json.dumps writes."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.utils.translation import gettext_lazy
from ninja.renderers import JSONRenderer

from healthbank.api.renderers import FastJSONRenderer


def test_orjson_writes_the_values_json_dumps_writes(rf):
    data = [
        {
            "date": dt.date(2026, 1, 2),
            "at": dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC),
            "amount": Decimal("1.50"),
            "label": gettext_lazy("Yes"),
            "name": "高血壓",
            "none": None,
        }
    ]
    request = rf.get("/")
    fast = FastJSONRenderer().render(request, data, response_status=200)
    plain = JSONRenderer().render(request, data, response_status=200)
    assert json.loads(fast) == json.loads(plain)
