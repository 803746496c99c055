"""The site's two HTTP APIs, each with the virtual card's endpoints mounted: the NHI Express
app's (/api/v1/, from the api app) and the providers' (/providers/api/v1/, from ingest).
Mounted here, in the project, so that neither API app imports the virtual card and the
virtual card imports neither of them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Router

from healthbank.api.api import api as app
from healthbank.billing import api as billing_app
from healthbank.billing.services import BillingRefused
from healthbank.cards import api as cards_app
from healthbank.cards.services import CardsRefused
from healthbank.certificates import api as certificates_app
from healthbank.certificates.services import CertificateRefused
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


def _mount_counter(api: NinjaAPI) -> None:
    """行動櫃檯: the personal e-services' own routers under /counter/ (each calls its app's
    services, as the website's pages do), their refusals as the API's `{code, message}`:
    the status each router's STATUS gives, else 422 (a rule the document cannot state)."""
    for router, refusal, statuses in (
        (cards_app.router, CardsRefused, cards_app.STATUS),
        (certificates_app.router, CertificateRefused, certificates_app.STATUS),
        (billing_app.router, BillingRefused, billing_app.STATUS),
    ):
        api.add_router("/counter", router)

        def refused(request: HttpRequest, exc, statuses=statuses) -> HttpResponse:
            body = {"code": exc.code, "message": str(exc.message)}
            return api.create_response(request, body, status=statuses.get(exc.code, 422))

        api.add_exception_handler(refusal, refused)


_mount_counter(app)
