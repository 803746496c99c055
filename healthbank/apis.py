"""The site's two HTTP APIs, each with the virtual card's endpoints mounted: the NHI Express
app's (/api/v1/, from the api app) and the providers' (/providers/api/v1/, from ingest).
Mounted here, in the project, so that neither API app imports the virtual card and the
virtual card imports neither of them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Router

from healthbank.api.api import api as app
from healthbank.ingest.api import api as providers
from healthbank.vcard import api as vcard_app
from healthbank.vcard import providers as vcard_providers
from healthbank.vcard.services import VcardError


def _mount_vcard(api: NinjaAPI, router: Router) -> None:
    """The card's endpoints under /vcard/, its refusals as the API's `{code, message}`."""
    api.add_router("/vcard", router)

    def refused(request: HttpRequest, exc: VcardError) -> HttpResponse:
        status = VcardError.STATUS.get(exc.code, 400)
        body = {"code": exc.code, "message": str(exc.message)}
        return api.create_response(request, body, status=status)

    # ninja's signature says a handler gets the exception or its class; it gets the exception.
    api.add_exception_handler(VcardError, refused)  # type: ignore[arg-type]


_mount_vcard(app, vcard_app.router)
_mount_vcard(providers, vcard_providers.router)
