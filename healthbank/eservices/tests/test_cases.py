"""重大傷病、自墊醫療費用核退、事前審查進度查詢: certificates, cases and their steps; another
person's case is a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from healthbank.eservices.models import Case, CatastrophicIllness
from healthbank.identity.tests.cardhelpers import eservice_sign_in
from healthbank.people.models import Person
from tests.fixtures.personas import CHANG, CHEN, CHEN_WIFE, LEE

pytestmark = pytest.mark.django_db

URL = "/eservice/services/cases/"


def test_her_cancer_certificate_is_in_force_until_five_years_after_it_began(signed_in):
    certificate = CatastrophicIllness.objects.get(person__national_id=CHANG)
    page = signed_in(CHANG).get(URL).content.decode()
    assert "C50.912" in page and "左側女性乳房惡性腫瘤" in page
    assert "需積極或長期治療之癌症" in page and "有效" in page and "已逾期" not in page
    until = certificate.valid_until
    assert until.year - certificate.valid_from.year == 5
    assert f"{until.year - 1911:03d}/{until.month:02d}/{until.day:02d}" in page


def test_her_reimbursement_was_paid_with_its_steps(signed_in):
    client = signed_in(CHANG)
    case = Case.objects.get(person__national_id=CHANG, kind=Case.Kind.REIMBURSEMENT)
    assert case.number in client.get(URL).content.decode()
    page = client.get(f"{URL}{case.pk}/").content.decode()
    assert "出國期間急診（日本）：急性腸胃炎" in page and "25,800" in page
    for step in ("已收件", "審核中"):
        assert step in page, step


def test_a_prior_review_from_the_hospital_is_under_review(signed_in):
    client = signed_in(LEE, "en")
    case = Case.objects.get(person__national_id=LEE)
    page = client.get(f"{URL}{case.pk}/").content.decode()
    assert "Prior review" in page and "Reported by the provider" in page
    assert "Under review" in page


def test_another_persons_case_is_a_404(signed_in):
    case = Case.objects.get(person__national_id=CHANG, kind=Case.Kind.REIMBURSEMENT)
    other = eservice_sign_in(Client(), CHEN)
    assert other.get(f"{URL}{case.pk}/").status_code == 404
    assert case.number not in other.get(URL).content.decode()
    assert signed_in(CHANG).get(f"{URL}{case.pk}/").status_code == 200


def test_no_certificate_and_no_case_are_said(signed_in):
    page = signed_in(CHEN).get(URL).content.decode()
    assert "您沒有重大傷病證明" in page and "您沒有自墊醫療費用核退或事前審查案件" in page
    assert not CatastrophicIllness.objects.filter(person__national_id=CHEN).exists()


def test_the_list_reads_in_a_few_queries(signed_in, django_assert_max_num_queries):
    client = signed_in(CHANG)
    with django_assert_max_num_queries(12):
        page = client.get(URL).content.decode()
    assert "C50.912" in page


def test_a_dependant_cannot_open_the_insureds_case(signed_in):
    chen = Person.objects.get(national_id=CHEN)
    case = Case.objects.create(
        person=chen,
        number="11599C00000001",
        kind=Case.Kind.REIMBURSEMENT,
        source=Case.Source.COUNTER,
        subject="出國期間緊急門診",
        applied_on=dt.date(2026, 10, 1),
        status=Case.Status.RECEIVED,
    )
    wife = signed_in(CHEN_WIFE)
    assert wife.get(f"{URL}{case.pk}/").status_code == 404
    assert case.number not in wife.get(URL).content.decode()
