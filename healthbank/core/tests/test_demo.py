import pytest
from django.core.management import CommandError, call_command

from healthbank.people.models import Person


@pytest.mark.django_db
def test_demo_seeds_an_empty_database_once_and_lets_staff_in(client, settings):
    settings.DEBUG = True
    call_command("demo", people=12, no_serve=True)
    assert Person.objects.count() == 12 + 10  # and the personas
    call_command("demo", people=12, no_serve=True)
    assert Person.objects.count() == 22  # not seeded again

    assert client.login(username="staff", password="healthbank-demo")
    page = client.get("/staff/people/person/", {"q": "A123456789"})
    assert "陳志明" in page.content.decode()

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
