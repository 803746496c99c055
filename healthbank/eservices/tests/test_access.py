"""Every e-service query page: signed-out people go to the sign-in and come back, a My Health
Bank session is sent to the e-services sign-in, and each read is in the access record."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from healthbank.audit.models import AuditEvent
from healthbank.eservices.models import Case
from healthbank.people.models import Person
from tests.fixtures.personas import CHANG, CHEN, HUANG

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


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hant", "個人健保資料網路服務作業：個人及眷屬、投退保資料查詢、列印"),
        ("en", "Personal e-services: Enrolment history of you and your dependants"),
    ],
)
def test_the_access_record_names_the_e_service_each_read_was_of(signed_in, language, expected):
    """A page and its PDF are reads of one service, named by the seed's list; a bill's slip
    is named by its own service."""
    client = signed_in(HUANG, language)
    for url in ("/eservice/services/enrolment/", "/eservice/services/enrolment/pdf/"):
        assert client.get(url).status_code == 200
    page = client.get("/eservice/billing/unpaid/").content.decode()
    slip = re.search(r'href="(/eservice/billing/unpaid/\d+/slip/)"', page)
    assert slip and client.get(slip.group(1)).status_code == 200
    record = client.get("/bank/personal/access/").content.decode()
    assert record.count(expected) == 2
    unpaid = "個人未繳保費查詢/下載/簡易分期申請" if language == "zh-hant" else "Unpaid premiums"
    assert record.count(unpaid) == 2  # the list and the slip
