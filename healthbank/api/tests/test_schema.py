"""Schemathesis against /api/v1/openapi.json with every check, signed in (a verified device
and its access token): generated requests, well-formed and not, never make the API answer
500, and every answer is one the document describes (status, content type, body).

The one setting: a well-formed request may also be refused with 410 or 422, the statuses
api.api.STATUS gives to rules the document cannot state (an expired code, a date range too
long, a photo that is not one); 400 stays reserved for requests the document refuses.

The run prints its figures (cases, failing operations, server errors) at the end."""

from __future__ import annotations

import collections

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.config import PositiveDataAcceptanceConfig

from healthbank.api import tokens
from healthbank.identity import devices
from healthbank.identity.tests.cardhelpers import registered, seed_personas

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wsgi_keeps_the_tests_connection")]

EXAMPLES = 40  # per operation; about a minute in all

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig.from_dict(
    {"expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "410", "422", "429"]}
)

FIGURES: collections.Counter = collections.Counter()
FAILED: set[str] = set()


@pytest.fixture(scope="module", autouse=True)
def figures(request):
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None and FIGURES["cases"]:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nschemathesis /api/v1: {FIGURES['cases']} cases, {len(FAILED)} failing "
                f"operations {sorted(FAILED)}, {FIGURES['server_errors']} server errors"
            )


@pytest.fixture
def access_token() -> str:
    seed_personas()
    account = registered()
    code, _row = devices.issue_code(account=account)
    binding = devices.verify_device(code=code, platform="ios", model="x", identifier="schema-1")
    return tokens.issue_pair(binding)["access_token"]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_every_answer_is_documented_and_none_is_a_server_error(case, access_token):
    headers = {"Authorization": f"Bearer {access_token}"}
    response = case.call(headers=headers)
    FIGURES["cases"] += 1
    FIGURES["server_errors"] += response.status_code >= 500
    try:
        case.validate_response(response, headers=headers, transport_kwargs={"headers": headers})
    except BaseException:
        FAILED.add(case.operation.label)
        raise


def test_no_two_schemas_of_the_api_share_a_name():
    """The document names each schema once (components/schemas): two classes of one name
    would describe one answer by the other's fields, as CardOut once did (vcard, cards)."""
    from ninja import Schema

    import healthbank.apis  # noqa: F401 - every router and its schemas

    def classes(base: type) -> list[type]:
        return [c for sub in base.__subclasses__() for c in (sub, *classes(sub))]

    ours = {c for c in classes(Schema) if c.__module__.startswith("healthbank.")}
    names = collections.Counter(c.__name__ for c in ours)
    assert [name for name, count in names.items() if count > 1] == []
