"""Agencies on the staff pages: one staff member registers an agency, another approves it
(never the same one); suspending it ends its tokens."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from oauth2_provider.models import get_access_token_model

from healthbank.agencies.models import Agency
from healthbank.agencies.tests.test_oidc_client import sign_in_flow
from tests.fixtures.personas import CHEN

CHANGELIST = "admin:agencies_agency_changelist"


@pytest.fixture
def second_staff(django_user_model, staff_login):
    user = django_user_model.objects.create_superuser("reviewer", "r@nhi.example", "pw-12345678")
    return staff_login(Client(), user)


def register(admin_client, **changes) -> object:
    form = {
        "name": "財政部中區國稅局",
        "name_en": "National Taxation Bureau of the Central Area",
        "purpose": "所得查詢",
        "purpose_en": "Annual income query",
        "redirect_uris": "https://ntbca.example.gov.tw/cb\nhttps://ntbca.example.gov.tw/cb2",
        "scopes": ["nhi_id", "profile"],
        **changes,
    }
    return admin_client.post(reverse("admin:agencies_agency_add"), form, follow=True)


def review(client, agency: Agency, action: str, note: str = ""):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [agency.pk], "note": note},
        follow=True,
    )


def test_staff_register_an_agency_which_another_staff_member_approves(
    admin_client, admin_user, second_staff
):
    page = register(admin_client)

    agency = Agency.objects.get()
    assert agency.status == Agency.Status.PENDING and agency.registered_by == admin_user
    assert agency.scopes == ["nhi_id", "profile"]
    assert agency.application.redirect_uris.split() == [
        "https://ntbca.example.gov.tw/cb",
        "https://ntbca.example.gov.tw/cb2",
    ]
    assert agency.application.client_id in page.content.decode()  # and the secret, once

    review(admin_client, agency, "approve")
    agency.refresh_from_db()
    assert agency.status == Agency.Status.PENDING  # four eyes: not by who registered it

    review(second_staff, agency, "approve")
    agency.refresh_from_db()
    assert agency.status == Agency.Status.APPROVED


def test_an_http_redirect_uri_is_refused_and_nothing_is_registered(admin_client):
    page = register(admin_client, redirect_uris="http://ntbca.example.gov.tw/cb")

    assert "https" in page.content.decode()
    assert not Agency.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_suspending_ends_the_agencys_tokens_at_once(
    live_server, card_sign_in, agency, admin_client
):
    person_client = Client()
    card_sign_in(person_client, CHEN)
    config, rp, _token, _nonce, _cb = sign_in_flow(live_server, person_client, agency)
    tokens = get_access_token_model().objects.filter(application=agency.application)
    assert tokens.exists()

    review(admin_client, agency, "suspend")  # no reason: refused
    agency.refresh_from_db()
    assert agency.status == Agency.Status.APPROVED
    review(admin_client, agency, "suspend", note="Its certificate was misused.")

    agency.refresh_from_db()
    assert agency.status == Agency.Status.SUSPENDED
    assert not tokens.exists()
    assert rp.get(config["userinfo_endpoint"]).status_code == 401


def test_the_staff_pages_of_an_agency_open(admin_client, agency):
    for url in (
        reverse(CHANGELIST),
        reverse("admin:agencies_agency_add"),
        reverse("admin:agencies_agency_change", args=[agency.pk]),
    ):
        page = admin_client.get(url)
        assert page.status_code == 200, url
    assert agency.application.client_id in page.content.decode()  # read-only, no secret
