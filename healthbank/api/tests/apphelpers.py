"""What tests of the app's e-services (行動櫃檯: cards, certificates, billing) share: a person
signed in to the app (registered, a verified device, a token pair), and calls with the
token as the app makes them."""

from __future__ import annotations

from django.conf import settings

from healthbank.api import tokens
from healthbank.identity import devices
from healthbank.identity.models import Account
from healthbank.identity.tests.cardhelpers import registered

API = "/api/v1"


def app_sign_in(national_id: str, email: str | None = None) -> str:
    """The person registers, verifies a phone and signs in to the app: the access token."""
    account = Account.objects.filter(person__national_id=national_id).first()
    if account is None:
        account = registered(national_id, email=email or f"{national_id.lower()}@example.com")
    code, _row = devices.issue_code(account=account)
    binding = devices.verify_device(
        code=code, platform="ios", model="iPhone", identifier=f"phone-{national_id}"
    )
    return tokens.issue_pair(binding)["access_token"]


def _headers(client, token: str | None, language: str) -> dict[str, str]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the app's language choice
    return {"Authorization": f"Bearer {token}"} if token else {}


def get(client, path: str, token: str | None, language: str = "zh-hant"):
    return client.get(f"{API}{path}", headers=_headers(client, token, language))


def post(client, path: str, body: dict | None, token: str | None, language: str = "zh-hant"):
    return client.post(
        f"{API}{path}",
        body or {},
        content_type="application/json",
        headers=_headers(client, token, language),
    )


def post_form(client, path: str, data: dict, token: str | None, language: str = "zh-hant"):
    """multipart/form-data, as the app uploads a photo."""
    return client.post(f"{API}{path}", data, headers=_headers(client, token, language))
