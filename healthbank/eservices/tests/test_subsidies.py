"""減免補助資料、補充保費免扣繳查詢: 吳怡君's middle-to-low-income subsidy and exemption;
someone without any is told so."""

from __future__ import annotations

import pytest

from tests.fixtures.personas import CHEN, WU

pytestmark = pytest.mark.django_db

URL = "/eservice/services/subsidies/"


def test_a_middle_low_income_household_sees_half_its_premium_subsidised(signed_in):
    page = signed_in(WU).get(URL).content.decode()
    assert "中低收入戶" in page and "50%" in page and "直轄市、縣（市）政府" in page
    assert "兼職薪資所得未達基本工資者免扣取" in page


def test_in_english(signed_in):
    page = signed_in(WU, "en").get(URL).content.decode()
    assert "Middle-to-low-income household" in page and "50%" in page
    assert "Part-time pay below the minimum wage is not withheld" in page


def test_someone_without_any_is_told_so(signed_in):
    page = signed_in(CHEN).get(URL).content.decode()
    assert "查無保險費減免或補助資料" in page and "中低收入戶" not in page
