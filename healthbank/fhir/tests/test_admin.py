"""NHIA staff review apps at /staff/fhir/listing/: pending first, approve, reject, suspend."""

from __future__ import annotations

import pytest
from django.urls import reverse

from healthbank.fhir.models import Listing

pytestmark = pytest.mark.django_db

URL = reverse("admin:fhir_listing_changelist")


def test_pending_apps_come_first_the_oldest_at_the_top(admin_client, make_app):
    approved, _ = make_app(status=Listing.Status.APPROVED)
    first, _ = make_app(status=Listing.Status.PENDING)
    second, _ = make_app(status=Listing.Status.PENDING)
    listed = list(admin_client.get(URL).context["cl"].result_list)
    assert listed == [first, second, approved]


@pytest.mark.parametrize(
    "action, status",
    [("approve", "approved"), ("reject", "rejected"), ("suspend", "suspended")],
)
def test_the_review_actions(admin_client, admin_user, make_app, action, status):
    listing, _ = make_app(status=Listing.Status.PENDING)
    response = admin_client.post(URL, {"action": action, "_selected_action": [listing.pk]})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == status
    assert listing.reviewed_by == admin_user


def test_the_change_page_opens_read_only(admin_client, app):
    response = admin_client.get(reverse("admin:fhir_listing_change", args=[app.pk]))
    assert response.status_code == 200
    assert app.application.client_id in response.content.decode()


def test_the_toolkits_own_pages_are_gone(admin_client):
    from django.contrib import admin
    from oauth2_provider.models import get_access_token_model, get_application_model

    assert not admin.site.is_registered(get_application_model())
    assert not admin.site.is_registered(get_access_token_model())
