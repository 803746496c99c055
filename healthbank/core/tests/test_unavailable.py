"""An unreachable database (a failover under way) is a 503 to retry shortly, in the
person's language, not a 500. Django calls handler500 inside its `except`: so do these."""

from __future__ import annotations

import json

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django.utils import translation

from healthbank.core.unavailable import RETRY_AFTER_SECONDS, server_error


def answer(path: str, exc: Exception, language: str = "zh-hant"):
    request = RequestFactory().get(path)
    with translation.override(language):
        try:
            raise exc
        except Exception:  # noqa: BLE001 - as Django's handler sees it
            return server_error(request)


@pytest.mark.parametrize("exc", [OperationalError("connection refused"), InterfaceError("closed")])
def test_a_page_is_a_503_to_retry_in_a_few_seconds(exc):
    response = answer("/bank/", exc)
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "系統正在切換至備援資料庫" in page and "重新整理頁面" in page
    assert "connection refused" not in page  # nothing of the database's own message


def test_the_page_is_in_english_for_an_english_reader():
    page = answer("/bank/", OperationalError("x"), language="en").content.decode()
    assert "switching to a standby database" in page


def test_the_apis_answer_with_their_code_and_message():
    response = answer("/api/v1/today", OperationalError("x"))
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = json.loads(response.content)
    assert body["code"] == "unavailable"
    assert body["message"].startswith("系統正在切換")


def test_any_other_fault_is_still_a_500():
    response = answer("/bank/", ValueError("a bug"))
    assert response.status_code == 500
    assert "Retry-After" not in response
