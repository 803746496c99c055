"""Every e-service query page: signed-out people go to the sign-in and come back, a My Health
Bank session is sent to the e-services sign-in, and each read is in the access record."""

from __future__ import annotations

import pytest
from django.test import Client

from healthbank.audit.models import AuditEvent
from healthbank.eservices.models import Case
from healthbank.people.models import Person
from tests.fixtures.personas import CHANG, CHEN

pytestmark = pytest.mark.django_db

PAGES = (
    "/eservice/services/enrolment/",
    "/eservice/services/enrolment/pdf/",
    "/eservice/services/subsidies/",
    "/eservice/services/contributions/",
    "/eservice/services/contributions/pdf/",
    "/eservice/services/cases/",
    "/eservice/services/preventive/",
)


def test_signed_out_people_go_to_the_sign_in_and_come_back(personas):
    case = Case.objects.get(person__national_id=CHANG, kind=Case.Kind.REIMBURSEMENT)
    for url in (*PAGES, f"/eservice/services/cases/{case.pk}/"):
        assert Client().get(url)["Location"] == f"/eservice/login/?next={url}", url


def test_a_my_health_bank_session_is_sent_to_the_e_services_sign_in(client, personas, sign_in):
    sign_in(client, CHEN)
    for url in PAGES:
        assert client.get(url)["Location"].startswith("/eservice/login/"), url


def test_each_page_read_is_recorded_under_its_own_name(signed_in):
    client = signed_in(CHEN)
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    person = Person.objects.get(national_id=CHEN)
    pages = {
        detail.get("page")
        for detail in AuditEvent.objects.filter(
            person=person, action=AuditEvent.Action.RECORDS_READ
        ).values_list("detail", flat=True)
    }
    assert {
        "eservices:enrolment",
        "eservices:enrolment_pdf",
        "eservices:subsidies",
        "eservices:contributions",
        "eservices:contributions_pdf",
        "eservices:cases",
        "eservices:preventive",
    } <= pages


def test_the_list_of_services_links_to_each_page(signed_in):
    page = signed_in(CHEN).get("/eservice/").content.decode()
    for url in ("enrolment", "subsidies", "contributions", "cases", "preventive"):
        assert f'href="/eservice/services/{url}/"' in page, url
