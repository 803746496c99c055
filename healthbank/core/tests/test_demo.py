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


@pytest.mark.django_db
def test_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("demo", no_serve=True)
    assert not Person.objects.exists()
