"""The API's JSON renderer: orjson, several times faster than json.dumps on a long record
list. The values are the same as ninja's own renderer writes: dates and times go through
ninja's encoder (milliseconds, `Z` for UTC)."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

_ENCODER = NinjaJSONEncoder()


class FastJSONRenderer(JSONRenderer):
    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return orjson.dumps(data, default=_ENCODER.default, option=orjson.OPT_PASSTHROUGH_DATETIME)
