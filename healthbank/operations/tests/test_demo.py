import base64
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp

from healthbank.audit.models import AuditEvent
from healthbank.people.models import Person
from tests.fixtures.portal import give_reason


@pytest.mark.django_db
def test_demo_seeds_an_empty_database_once_and_lets_staff_in(client, settings):
    settings.DEBUG = True
    call_command("demo", people=12, no_serve=True)
    assert Person.objects.count() == 12 + 10  # and the personas
    call_command("demo", people=12, no_serve=True)
    assert Person.objects.count() == 22  # not seeded again

    # README: the staff login's password, then the code `healthbank staffcode` prints.
    step = client.post("/staff/login/", {"username": "staff", "password": "healthbank-demo"})
    assert step.url == "/staff/login/code/"
    printed = io.StringIO()
    call_command("staffcode", stdout=printed, stderr=io.StringIO())
    assert client.post(step.url, {"code": printed.getvalue().strip()}).url == "/staff/"
    page = client.get("/staff/people/person/", {"q": "A123456789"}, follow=True)
    assert "為何查詢民眾的資料？" in page.content.decode()  # a search asks why first
    give_reason(client)
    page = client.get("/staff/people/person/", {"q": "A123456789"})
    assert "陳志明" in page.content.decode()
    read = AuditEvent.objects.filter(actor=AuditEvent.Actor.STAFF).latest("id")
    assert read.detail["role"] == "櫃檯服務"  # the demo staff's group: what the person reads

    # The second login, for decisions one checks and another approves (four eyes).
    approver = Client()
    step = approver.post("/staff/login/", {"username": "approver", "password": "healthbank-demo"})
    printed = io.StringIO()
    call_command("staffcode", "approver", stdout=printed, stderr=io.StringIO())
    assert approver.post(step.url, {"code": printed.getvalue().strip()}).url == "/staff/"

    # The demo's insured unit can sign in (README) and sees its upload page.
    from healthbank.employers.services import ensure_demo_unit_login

    code, password = ensure_demo_unit_login()
    assert password == "healthbank-demo"
    assert Person.objects.get(national_id="A123456789").enrolments.filter(unit__code=code)


@pytest.mark.django_db
def test_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("demo", no_serve=True)
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_the_demo_prints_the_staff_key_an_authenticator_app_takes(settings):
    """README: add the printed key to an authenticator app; its codes sign in."""
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo", people=2, no_serve=True, stdout=out)
    key = re.search(r"add the key ([A-Z2-7 ]+) to an authenticator app", out.getvalue())[1]
    secret = base64.b32decode(key.replace(" ", "") + "=" * (-len(key.replace(" ", "")) % 8))

    client = Client()
    client.post("/staff/login/", {"username": "staff", "password": "healthbank-demo"})
    code = f"{totp(secret):06d}"  # what the app shows now
    assert client.post("/staff/login/code/", {"code": code}).url == "/staff/"


@pytest.mark.django_db
def test_staffcode_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("staffcode")
