"""Agencies, a person signed in with the NHI card, and a standard OpenID Connect client
(Authlib) pointed at the live server."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from healthbank.agencies import claims, services
from healthbank.agencies.models import Agency
from healthbank.fhir.tests.conftest import app, developer, make_app  # noqa: F401  # a SMART app

REDIRECT_URI = "https://tax.example.gov.tw/oidc/callback"
ALL_SCOPES = "openid " + " ".join(claims.SCOPES)


@pytest.fixture
def make_agency(db):
    def make_agency(
        *,
        scopes: list[str] | None = None,
        status: str = Agency.Status.APPROVED,
        redirect_uris: list[str] | None = None,
        confidential: bool = False,
    ) -> tuple[Agency, str]:
        agency, secret = services.register_agency(
            name="財政部北區國稅局",
            name_en="National Taxation Bureau of the Northern Area",
            purpose="綜合所得稅結算申報與所得查詢",
            purpose_en="Income-tax filing and the annual income query",
            redirect_uris=redirect_uris or [REDIRECT_URI],
            scopes=list(claims.SCOPES) if scopes is None else scopes,
            staff_user=None,
            confidential=confidential,
        )
        Agency.objects.filter(pk=agency.pk).update(status=status)
        agency.refresh_from_db()
        return agency, secret

    return make_agency


@pytest.fixture
def agency(make_agency) -> Agency:
    return make_agency()[0]


@pytest.fixture
def card_sign_in(sign_in):
    """card_sign_in(client, national_id, method="card") -> Person: a session signed in the
    way the sign-in page records it (identity.views.start_session's login_method)."""

    def card_sign_in(client: Client, national_id: str, method: str = "card"):
        person = sign_in(client, national_id)
        session = client.session
        session["login_method"] = method
        session.save()
        return person

    return card_sign_in


def cookie_of(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value
