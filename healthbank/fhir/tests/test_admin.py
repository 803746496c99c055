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
    note = "" if action == "approve" else "The privacy policy does not name the data kept."
    response = admin_client.post(
        URL, {"action": action, "_selected_action": [listing.pk], "note": note}
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == status
    assert listing.reviewed_by == admin_user
    assert listing.review_note == note


@pytest.mark.parametrize("action", ["reject", "suspend"])
def test_rejecting_or_suspending_needs_a_reason_which_the_developer_sees(
    admin_client, client, developer, make_app, action
):
    listing, _ = make_app(status=Listing.Status.APPROVED)
    bare = admin_client.post(URL, {"action": action, "_selected_action": [listing.pk]})
    assert bare.status_code == 302
    listing.refresh_from_db()
    assert listing.status == Listing.Status.APPROVED  # nothing done without a reason

    reason = "Its privacy policy page is gone."
    admin_client.post(URL, {"action": action, "_selected_action": [listing.pk], "note": reason})
    client.force_login(developer.user)
    page = client.get(reverse("developers:app", kwargs={"listing_id": listing.pk}))
    assert reason in page.content.decode()


def test_the_changelist_offers_the_reason_field(admin_client, app):
    assert 'name="note"' in admin_client.get(URL).content.decode()


def test_the_change_page_opens_read_only(admin_client, app):
    response = admin_client.get(reverse("admin:fhir_listing_change", args=[app.pk]))
    assert response.status_code == 200
    assert app.application.client_id in response.content.decode()


def test_the_toolkits_own_pages_are_gone(admin_client):
    from django.contrib import admin
    from oauth2_provider.models import get_access_token_model, get_application_model

    assert not admin.site.is_registered(get_application_model())
    assert not admin.site.is_registered(get_access_token_model())
