"""What "name, sex and date of birth" shares, as the person is told it: the consent screen,
the e-mail and the App access page say the ID number is never given, and the app's Patient
read indeed carries none (review item 3)."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.urls import reverse

from healthbank.fhir.mail import app_granted
from healthbank.fhir.models import Grant
from healthbank.fhir.tests.conftest import allow, exchange, start
from healthbank.identity.models import Account
from tests.fixtures.personas import CHEN

pytestmark = pytest.mark.django_db


def test_the_person_is_told_and_the_app_gets_no_id_number(client, sign_in, app):
    chen = sign_in(client, CHEN)
    url, verifier = start(app)
    consent = client.get(url).content.decode()
    assert "我的姓名、性別及出生日期" in consent
    assert "應用程式不會取得" in consent  # never the ID number

    code = allow(client, url, ["labs"], demographics="on")["code"]
    body = exchange(client, app, code, verifier).json()
    Account.objects.filter(person=chen).update(email="chen@example.com")
    assert app_granted(Grant.objects.get(person=chen, demographics=True).pk)  # the task's mail
    mailed = mail.outbox[-1].body
    assert "姓名、性別及出生日期（不含身分證號）" in mailed
    assert "Name, sex and date of birth (never your ID number)" in mailed
    page = client.get(reverse("bank:apps")).content.decode()
    assert "姓名、性別及出生日期（不含身分證號）" in page

    api = client.__class__()
    read = api.get(
        f"/fhir/r4/Patient/{chen.pk}", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}"
    )
    assert read.status_code == 200
    assert chen.national_id not in json.dumps(read.json())
    assert read.json()["name"][0]["text"] == chen.name
