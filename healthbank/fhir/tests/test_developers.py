"""/developers/: sign-up and sign-in apart from people's, registering an app (client id, and
the secret once), changing its redirect URIs; nobody else's app by any address."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from healthbank.audit.models import AuditEvent
from healthbank.fhir import services
from healthbank.fhir.models import Developer, Listing
from healthbank.fhir.tests.conftest import REDIRECT_URI, authorize_query, authorize_url
from healthbank.fhir.tests.tokens import app_token
from tests.fixtures.personas import CHEN

pytestmark = pytest.mark.django_db

APP = {
    "name": "Step Counter",
    "publisher": "Steps Ltd.",
    "description": "Shows your lab results beside your steps.",
    "privacy_policy": "https://steps.example/privacy",
    "homepage": "",
    "redirect_uris": "https://steps.example/cb\nhttps://127.0.0.1:8765/cb",
    "client_type": "confidential",
    "environment": "production",
}


def test_sign_up_signs_in_and_lists_no_app(client):
    response = client.post(
        reverse("developers:signup"), {"email": "Ann@Steps.example", "password": "Sturdy-pass-42"}
    )
    assert response.status_code == 302
    developer = Developer.objects.get()
    assert developer.email == "ann@steps.example"
    assert not hasattr(developer.user, "account")
    assert client.get(reverse("developers:home")).context["listings"].count() == 0


def test_sign_in_with_the_right_password_only(client, developer):
    url = reverse("developers:login")
    wrong = client.post(url, {"email": developer.email, "password": "nope-nope-1"})
    assert wrong.status_code == 200
    assert (
        client.post(url, {"email": developer.email, "password": "Correct-horse-9"}).status_code
        == 302
    )
    assert client.get(reverse("developers:app_new")).status_code == 200


def test_a_developer_has_no_portal(client, developer):
    client.force_login(developer.user)
    assert client.get(reverse("bank:home")).status_code == 404


def test_a_persons_sign_in_is_no_developers(client, sign_in):
    sign_in(client, CHEN)
    response = client.get(reverse("developers:app_new"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("developers:login"))


def test_registering_shows_the_client_id_and_the_secret_once(client, developer):
    client.force_login(developer.user)
    response = client.post(reverse("developers:app_new"), APP)
    assert response.status_code == 302
    listing = Listing.objects.get()
    assert listing.status == Listing.Status.PENDING  # production waits for NHIA
    assert listing.application.redirect_uris == "https://steps.example/cb https://127.0.0.1:8765/cb"
    page = client.get(response["Location"])
    secret = page.context["secret"]
    assert secret and secret in page.content.decode()
    assert listing.application.client_id in page.content.decode()
    again = client.get(response["Location"])
    assert again.context["secret"] is None


def test_a_sandbox_app_is_approved_at_once(client, developer):
    client.force_login(developer.user)
    client.post(reverse("developers:app_new"), {**APP, "environment": "sandbox"})
    assert Listing.objects.get().status == Listing.Status.APPROVED


@pytest.mark.parametrize(
    "uris",
    [
        "http://steps.example/cb",
        "http://127.0.0.1:8765/cb",
        "steps://cb",
        "https://steps.example/cb#frag",
        "",
    ],
)
def test_redirect_uris_must_be_https(client, developer, uris):
    client.force_login(developer.user)
    response = client.post(reverse("developers:app_new"), {**APP, "redirect_uris": uris})
    assert response.status_code == 200
    assert response.context["form"].errors["redirect_uris"]
    assert not Listing.objects.exists()


def test_changing_the_redirect_uris(client, developer):
    client.force_login(developer.user)
    listing, _secret = services.register_app(
        developer=developer,
        name="A",
        publisher="B",
        description="C",
        privacy_policy="https://a.example/p",
        homepage="",
        redirect_uris=["https://a.example/cb"],
        confidential=False,
        sandbox=True,
    )
    url = reverse("developers:app", kwargs={"listing_id": listing.pk})
    assert client.post(url, {"redirect_uris": "https://a.example/new"}).status_code == 302
    listing.refresh_from_db()
    assert listing.application.redirect_uris == "https://a.example/new"
    assert listing.status == Listing.Status.APPROVED  # a sandbox app stays self-service


def test_an_approved_production_app_goes_back_to_review_when_its_redirect_uris_change(
    client, developer, app, sign_in
):
    """NHIA approved the app with its redirect URIs in view: new ones are reviewed again.
    Until then no one can grant it access (the consent screen refuses, whatever the URI),
    the developer is told, and the change is audited."""
    chen = sign_in(Client(), CHEN)
    token = app_token(chen, app=app)
    client.cookies["django_language"] = "en"
    client.force_login(developer.user)
    url = reverse("developers:app", kwargs={"listing_id": app.pk})
    assert "puts it back in NHIA" in client.get(url).content.decode()  # said before saving

    response = client.post(url, {"redirect_uris": "https://evil.example/cb"}, follow=True)

    app.refresh_from_db()
    assert app.status == Listing.Status.PENDING
    assert app.application.redirect_uris == "https://evil.example/cb"
    said = [str(message) for message in response.context["messages"]]
    assert any("back in NHIA's review" in message for message in said), said
    event = AuditEvent.objects.get(action=AuditEvent.Action.APP_CHANGED)
    assert (event.actor, event.actor_id, event.person_id) == ("developer", developer.pk, None)
    assert event.detail["before"] == [REDIRECT_URI]
    assert event.detail["after"] == ["https://evil.example/cb"]
    consent = Client()
    consent.force_login(chen.account.user)
    query = authorize_query(app, redirect_uri="https://evil.example/cb")
    assert consent.get(authorize_url(query)).status_code == 403
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client().get(f"/fhir/r4/Patient/{chen.pk}", **bearer).status_code == 401
    # NHIA approves the change: the tokens people gave work again, nothing was revoked.
    Listing.objects.filter(pk=app.pk).update(status=Listing.Status.APPROVED)
    assert Client().get(f"/fhir/r4/Patient/{chen.pk}", **bearer).status_code == 200


def test_the_same_redirect_uris_saved_again_change_nothing(client, developer, app):
    client.force_login(developer.user)
    url = reverse("developers:app", kwargs={"listing_id": app.pk})
    assert client.post(url, {"redirect_uris": REDIRECT_URI}).status_code == 302
    app.refresh_from_db()
    assert app.status == Listing.Status.APPROVED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.APP_CHANGED).exists()


def test_another_developers_app_is_a_404(client, developer):
    listing, _secret = services.register_app(
        developer=developer,
        name="A",
        publisher="B",
        description="C",
        privacy_policy="https://a.example/p",
        homepage="",
        redirect_uris=["https://a.example/cb"],
        confidential=False,
        sandbox=True,
    )
    other = services.sign_up_developer(email="other@x.example", password="Other-pass-77")
    client.force_login(other.user)
    url = reverse("developers:app", kwargs={"listing_id": listing.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"redirect_uris": "https://evil.example/cb"}).status_code == 404
