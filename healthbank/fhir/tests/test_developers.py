"""/developers/: sign-up and sign-in apart from people's, registering an app (client id, and
the secret once), changing its redirect URIs; nobody else's app by any address."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from healthbank.audit.models import AuditEvent
from healthbank.employers.tests.test_views import captcha_fields
from healthbank.fhir import services
from healthbank.fhir.models import Developer, Listing
from healthbank.fhir.tests.conftest import REDIRECT_URI, authorize_query, authorize_url
from healthbank.fhir.tests.tokens import app_token
from healthbank.identity.lockout import LoginRefused
from healthbank.identity.models import LoginLockout
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


def developer_sign_in(client, email: str, password: str):
    fields = {"email": email, "password": password, **captcha_fields()}
    return client.post(reverse("developers:login"), fields)


def refusal(response) -> str:
    return " ".join(str(error) for error in response.context["form"].non_field_errors())


def test_sign_in_with_the_right_password_only(client, developer):
    wrong = developer_sign_in(client, developer.email, "nope-nope-1")
    assert wrong.status_code == 200
    assert developer_sign_in(client, developer.email, "Correct-horse-9").status_code == 302
    assert client.get(reverse("developers:app_new")).status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert (event.actor, event.actor_id, event.person_id) == ("developer", developer.pk, None)


def test_the_sign_in_asks_for_the_image_code(client, developer):
    url = reverse("developers:login")
    response = client.post(url, {"email": developer.email, "password": "Correct-horse-9"})
    assert response.status_code == 200
    assert response.context["form"].errors["captcha"]


def test_wrong_passwords_lock_the_developers_sign_in_and_are_audited(settings, developer):
    """As staff and insured units sign in (identity.lockout): the limit-th wrong password in
    a row locks; then the right password gets the same answer as a wrong one."""
    settings.LOGIN_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="198.51.100.23")
    client.cookies["django_language"] = "en"
    answers = [refusal(developer_sign_in(client, developer.email, "nope-nope-1")) for _ in "abc"]
    assert "The e-mail or password is wrong" in answers[0] and len(set(answers)) == 1
    assert LoginLockout.objects.get(user=developer.user).is_locked

    right = developer_sign_in(client, developer.email, "Correct-horse-9")
    assert right.status_code == 200 and refusal(right) == answers[0]  # no password oracle
    unknown = developer_sign_in(client, "nobody@app.example", "Correct-horse-9")
    assert unknown.status_code == 200 and refusal(unknown) == answers[0]

    failed = AuditEvent.objects.filter(action="login.failed", actor="developer").order_by("pk")
    assert [e.detail["reason"] for e in failed] == ["wrong_password"] * 3 + [
        "locked",
        "unknown",
    ]
    assert {(e.address, e.person_id) for e in failed} == {("198.51.100.23", None)}
    assert AuditEvent.objects.filter(
        action="signin.locked", actor="developer", actor_id=developer.pk
    ).exists()


def test_many_failures_from_one_address_are_throttled(settings, developer):
    settings.LOGIN_ADDRESS_LIMIT = 5
    client = Client(REMOTE_ADDR="198.51.100.24")
    answers = [refusal(developer_sign_in(client, f"n{i}@x.example", "nope-1")) for i in range(6)]
    assert answers[-1] == str(LoginRefused("throttled").message)
    assert developer_sign_in(client, developer.email, "Correct-horse-9").status_code == 200


def test_an_e_mail_too_long_for_the_sign_in_is_a_form_error(client):
    """The user name is "developer:" + the e-mail (150 characters at most): a longer address
    is the form's error (PostgreSQL would refuse it with a 500), not a stored one."""
    email = "a" * 128 + "@app.example"  # 140 characters: the longest taken
    fields = {"password": "Sturdy-pass-42"}
    too_long = client.post(reverse("developers:signup"), {"email": "b" + email, **fields})
    assert too_long.status_code == 200
    assert too_long.context["form"].errors["email"]
    assert not Developer.objects.exists()
    assert client.post(reverse("developers:signup"), {"email": email, **fields}).status_code == 302
    assert Developer.objects.get().user.username == f"developer:{email}"


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
