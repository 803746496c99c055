"""授權管理 (App access): the apps the person let read their records, what and until when,
and taking access back at once; a parent in a child's portal manages the child's; nobody
else's grant by any address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.fhir import services
from healthbank.fhir.mail import app_granted
from healthbank.fhir.models import Grant, Listing
from healthbank.people.models import Person
from tests.fixtures.personas import CHEN, LIN, LIN_DAUGHTER

pytestmark = pytest.mark.django_db

URL = reverse("bank:apps")


def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def listing(db) -> Listing:
    developer = services.sign_up_developer(email="dev@diary.example", password="Dev-pass-123")
    listing, _secret = services.register_app(
        developer=developer,
        name="Health Diary",
        publisher="Diary Co.",
        description="A diary.",
        privacy_policy="https://diary.example/privacy",
        homepage="",
        redirect_uris=["https://diary.example/cb"],
        confidential=False,
        sandbox=False,
    )
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.APPROVED)
    listing.refresh_from_db()
    return listing


def grant(person: Person, listing: Listing, categories=("labs", "vaccinations")) -> Grant:
    return services.grant_access(
        person=person,
        listing=listing,
        categories=list(categories),
        demographics=False,
        period="1m",
        scope="launch/patient patient/Observation.rs patient/Immunization.rs",
    )


def test_the_owner_sees_each_app_what_it_reads_and_until_when(client, sign_in, listing):
    chen = sign_in(english(client), CHEN)
    given = grant(chen, listing)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Health Diary", "Diary Co.", "Laboratory results", "Vaccinations", "Not yet"):
        assert text in html
    assert response.context["current"] == [(given, ["Laboratory results", "Vaccinations"])]


def test_revoking_ends_access_at_once_and_is_audited(client, sign_in, listing):
    chen = sign_in(english(client), CHEN)
    given = grant(chen, listing)
    response = client.post(reverse("bank:revoke_app", kwargs={"pk": given.pk}))
    assert response.status_code == 302
    given.refresh_from_db()
    assert given.revoked_at is not None
    assert AuditEvent.objects.filter(person=chen, action=AuditEvent.Action.APP_REVOKED).exists()
    html = client.get(URL).content.decode()
    assert "can no longer read your records" in html
    assert "Revoked on" in html  # under access that has ended


def test_an_expired_grant_is_listed_as_ended(client, sign_in, listing):
    chen = sign_in(english(client), CHEN)
    given = grant(chen, listing)
    Grant.objects.filter(pk=given.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    response = client.get(URL)
    assert response.context["current"] == []
    assert "Expired on" in response.content.decode()


def test_an_outsider_cannot_see_or_revoke_the_owners_grant(client, sign_in, outsider, listing):
    chen = sign_in(client, CHEN)
    given = grant(chen, listing)
    assert "Health Diary" not in outsider.get(URL).content.decode()
    response = outsider.post(reverse("bank:revoke_app", kwargs={"pk": given.pk}))
    assert response.status_code == 404
    given.refresh_from_db()
    assert given.revoked_at is None


def test_a_parent_manages_the_childs_apps_in_the_childs_portal_only(client, sign_in, listing):
    lin = sign_in(client, LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    hers = grant(daughter, listing)
    own = grant(lin, listing)
    client.post(reverse("bank:switch"), {"person": daughter.pk})
    shown = [g for g, _labels in client.get(URL).context["current"]]
    assert shown == [hers]
    # The parent's own grant is not the child's portal's to revoke.
    assert client.post(reverse("bank:revoke_app", kwargs={"pk": own.pk})).status_code == 404
    assert client.post(reverse("bank:revoke_app", kwargs={"pk": hers.pk})).status_code == 302


def test_revoking_needs_a_post(client, sign_in, listing):
    chen = sign_in(client, CHEN)
    given = grant(chen, listing)
    assert client.get(reverse("bank:revoke_app", kwargs={"pk": given.pk})).status_code == 405


def test_a_new_grant_is_mailed_in_both_languages(sign_in, client, listing, settings):
    chen = sign_in(client, CHEN)
    given = grant(chen, listing)
    assert app_granted(given.pk)
    (message,) = mail.outbox
    assert "Health Diary" in message.body
    assert "檢驗" in message.body
    assert "Laboratory results" in message.body
    assert "授權管理" in message.body and "App access" in message.body


def test_granting_enqueues_the_mail_once_committed(
    sign_in, client, listing, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    chen = sign_in(client, CHEN)
    with django_capture_on_commit_callbacks(execute=True):
        grant(chen, listing)
    assert DBTaskResult.objects.filter(task_path__endswith="mail_app_granted").count() == 1
