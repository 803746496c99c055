"""When the database cannot be reached (a failover under way, a cut network): 503 with
Retry-After in the person's language, on the APIs' paths their `{code, message}` (or their
registered error shape, badrequest.ERROR_SHAPES), never a bare 500. Django calls handler500
while it handles the exception, so `sys.exc_info()` names it. The page is rendered without
the request: its context processors would ask the unreachable database who is signed in."""

from __future__ import annotations

import logging
import sys
import time

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from healthbank.core.badrequest import api_error, error_shape, is_api

# A dead primary leaves the cluster without writes for 10-13 s (bench/results/*-cluster.json).
RETRY_AFTER_SECONDS = 10
UNREACHABLE = (OperationalError, InterfaceError)
MESSAGE = _(
    "The service is switching to a standby database and will be back in a few seconds. "
    "What was saved before is safe; if you were just saving something, check it and send it "
    "again."
)
INTERNAL = _("The server could not answer this request. Try again later.")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a 503 for an unreachable database, Django's 500 for anything else (an
    API with its own error shape: `internal_error` in it, saying nothing of the cause)."""
    if not isinstance(sys.exc_info()[1], UNREACHABLE):
        if error_shape(request) is not None:
            return api_error(request, 500, "internal_error", str(INTERNAL))
        return defaults.server_error(request)
    if is_api(request):
        response = api_error(request, 503, "unavailable", str(MESSAGE))
    else:
        response = HttpResponse(render_to_string("503.html", {"message": MESSAGE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def wait_for_database(seconds: float = 120) -> None:
    """Returns once the database answers again (a failover over), polling each second;
    raises the last error after `seconds`. For background work, which can wait."""
    deadline = time.monotonic() + seconds
    while True:
        connections.close_all()  # the old primary's connections are dead
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT 1")
            return
        except UNREACHABLE:
            if time.monotonic() > deadline:
                raise
            logging.getLogger(__name__).warning("database unreachable; trying again in 1 s")
            time.sleep(1)
