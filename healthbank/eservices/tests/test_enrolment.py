"""個人及眷屬投退保資料查詢、列印: the insured sees their own periods and their dependants'
under them, with the reasons; a dependant sees only their own; the PDF says the same."""

from __future__ import annotations

import pytest

from healthbank.eservices.tests.conftest import pdf_text
from tests.fixtures.personas import CHEN, CHEN_WIFE, LIN, LIN_DAUGHTER, LIN_HUSBAND

pytestmark = pytest.mark.django_db

URL = "/eservice/services/enrolment/"


def test_the_insured_sees_his_history_and_his_wifes_with_the_reasons(signed_in):
    page = signed_in(CHEN).get(URL).content.decode()
    assert "個人及眷屬、投退保資料查詢、列印" in page
    assert "陳林秀英" in page and "A22345****" in page  # his wife, as his dependant
    for reason in ("到職加保", "離職", "入會加保", "眷屬隨同加保", "眷屬隨同轉出"):
        assert reason in page, reason
    assert "新北市板橋區職業工會" in page
    assert "079/03/15" in page  # his first job (ROC date), at 24


def test_english_dates_and_reasons(signed_in):
    page = signed_in(CHEN, "en").get(URL).content.decode()
    assert "Enrolment history of you and your dependants" in page
    assert "Started a job" in page and "Left the job" in page and "1990-03-15" in page


def test_a_dependant_sees_her_own_history_only(signed_in):
    page = signed_in(CHEN_WIFE).get(URL).content.decode()
    assert "陳林秀英" in page
    # her own earlier job, her periods under him, and nothing of his own jobs
    assert "永康電子股份有限公司" in page and "眷屬隨同加保" in page
    assert "Your dependants" not in page and "您的眷屬" not in page
    assert "A12345****" not in page


def test_a_parent_sees_only_the_children_insured_under_her(signed_in):
    page = signed_in(LIN).get(URL).content.decode()
    assert "王品妤" in page and "王宥辰" in page and "出生" in page
    husband = signed_in(LIN_HUSBAND).get(URL).content.decode()
    assert "王品妤" not in husband and "王宥辰" not in husband


def test_a_child_sees_only_her_own_rows(signed_in):
    page = signed_in(LIN_DAUGHTER).get(URL).content.decode()
    assert "王品妤" in page and "王宥辰" not in page


def test_the_pdf_has_the_history(signed_in):
    response = signed_in(CHEN).get(URL + "pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "陳志明" in text and "陳林秀英" in text and "到職加保" in text


def test_the_page_reads_in_a_few_queries(signed_in, django_assert_max_num_queries):
    client = signed_in(CHEN)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200
