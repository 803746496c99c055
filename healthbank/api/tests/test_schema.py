"""Schemathesis against the OpenAPI document: generated requests (a bounded number per
operation, with a real access token) never make the API answer 500."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from healthbank.api import tokens
from healthbank.identity import devices
from healthbank.identity.tests.cardhelpers import registered, seed_personas

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """As Django's test client does: the WSGI app must not close the test's connection."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def access_token() -> str:
    seed_personas()
    account = registered()
    code, _row = devices.issue_code(account=account)
    binding = devices.verify_device(code=code, platform="ios", model="x", identifier="schema-1")
    return tokens.issue_pair(binding)["access_token"]


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_errors(case, access_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {access_token}"}, checks=[not_a_server_error]
    )
