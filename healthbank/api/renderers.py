"""The API's JSON renderer: orjson when it is installed (several times faster on a long
record list), else ninja's own json.dumps. The values are the same either way: dates and
times go through ninja's encoder as json.dumps writes them (milliseconds, `Z` for UTC)."""

from __future__ import annotations

import importlib
from typing import Any

from django.http import HttpRequest
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

try:
    orjson: Any = importlib.import_module("orjson")
except ModuleNotFoundError:  # not a dependency yet (issue 21): ninja's json.dumps
    orjson = None

_ENCODER = NinjaJSONEncoder()


class FastJSONRenderer(JSONRenderer):
    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        if orjson is None:
            return super().render(request, data, response_status=response_status)
        return orjson.dumps(data, default=_ENCODER.default, option=orjson.OPT_PASSTHROUGH_DATETIME)
