"""雇主投保金額、菸捐及公益彩券補助查詢/列印."""

from __future__ import annotations

import pytest

from healthbank.eservices.tests.conftest import pdf_text
from tests.fixtures.personas import CHEN, CHEN_WIFE, WU

pytestmark = pytest.mark.django_db

URL = "/eservice/services/contributions/"


def test_the_insured_sees_each_amount_his_units_declared(signed_in):
    page = signed_in(CHEN).get(URL).content.decode()
    assert "中山物流有限公司" in page or "55,400" in page
    assert "27,470" in page and "新北市板橋區職業工會" in page


def test_a_dependant_is_told_her_premium_follows_the_insured(signed_in):
    page = signed_in(CHEN_WIFE).get(URL).content.decode()
    assert "您目前以眷屬身分投保" in page
    assert "新北市板橋區職業工會" not in page  # his union's amount was not declared for her


def test_tobacco_and_lottery_subsidies_are_listed(signed_in):
    page = signed_in(WU).get(URL).content.decode()
    assert "公益彩券回饋金" in page and "8,260" in page
    assert "菸品健康福利捐" in page


def test_the_pdf_prints_the_same(signed_in):
    response = signed_in(WU, "en").get(URL + "pdf/")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Public welfare lottery fund" in text and "8,260" in text
