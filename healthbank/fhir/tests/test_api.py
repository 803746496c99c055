"""The FHIR R4 API (/fhir/r4/): what a token of the person in context reads, what it never
reads (another person's, a category not granted, a type not in scope), search parameters
and paging, conditional reads, errors, the audit trail and the queries a request costs.

Three people: the owner (陳志明), a delegate (林雅婷, mother of 王品妤: her token reads
her own data only, never her daughter's) and an outsider (吳怡君)."""

from __future__ import annotations

import datetime as dt
import json

import orjson
import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oauth2_provider.models import AccessToken

from healthbank.audit.models import AuditEvent
from healthbank.core.unavailable import server_error
from healthbank.fhir.models import Grant, Listing
from healthbank.fhir.scopes import RESOURCE_TYPES
from healthbank.fhir.tests.tokens import app_token, listing
from healthbank.fhir.tests.validation import assert_valid, assert_valid_bundle
from healthbank.people.models import Person
from healthbank.records.models import LabResult, Visit
from tests.fixtures.personas import CHEN, LIN, LIN_DAUGHTER, WU

pytestmark = pytest.mark.django_db

SEARCHED = list(RESOURCE_TYPES)


@pytest.fixture
def chen(personas) -> Person:
    return Person.objects.get(national_id=CHEN)


@pytest.fixture
def owner(client, chen):
    """A client with an app's token for 陳志明, every category and type granted."""
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {app_token(chen)}"
    return client


def get(client, path: str, **headers):
    return client.get(f"/fhir/r4/{path}", **headers)


def every_page(client, path: str) -> list[dict]:
    """The entries of a search and of every page its next links lead to."""
    entries, url = [], f"/fhir/r4/{path}"
    while url:
        bundle = client.get(url).json()
        assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
        entries += bundle.get("entry", [])
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    return entries


# --- the capability statement -----------------------------------------------------------


def test_metadata_is_public_and_lists_every_type_with_smart(client):
    response = get(client, "metadata")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    statement = response.json()
    assert_valid(statement)
    assert statement["fhirVersion"] == "4.0.1"
    rest = statement["rest"][0]
    types = {r["type"] for r in rest["resource"]}
    assert types == {*RESOURCE_TYPES, "Organization"}
    observation = next(r for r in rest["resource"] if r["type"] == "Observation")
    assert {i["code"] for i in observation["interaction"]} == {"read", "search-type"}
    assert {"date", "code", "category", "patient", "_lastUpdated", "_count"} <= {
        p["name"] for p in observation["searchParam"]
    }
    assert "Observation:performer" in observation["searchInclude"]
    security = rest["security"]
    assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
    uris = {e["url"]: e["valueUri"] for e in security["extension"][0]["extension"]}
    assert set(uris) == {"authorize", "token", "revoke"}
    assert all("/fhir/oauth/" in uri for uri in uris.values())


def test_openapi_document_lists_the_same_paths(client):
    document = get(client, "openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert {f"/{t}" for t in RESOURCE_TYPES} <= set(document["paths"])
    assert "/Organization/{id}" in document["paths"]


# --- who reads what ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["Observation", "Patient/1", "Organization/nhia"])
def test_without_a_token_401_with_a_bearer_challenge(client, path):
    response = get(client, path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["resourceType"] == "OperationOutcome"
    bad = get(client, path, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert bad.status_code == 401
    assert 'error="invalid_token"' in bad["WWW-Authenticate"]


def test_every_type_searched_by_the_owner_validates_and_names_only_the_owner(owner, chen):
    seen = 0
    for resource_type in SEARCHED:
        response = get(owner, f"{resource_type}?_count=200&_include=*")
        assert response.status_code == 200, resource_type
        bundle = response.json()
        assert_valid_bundle(bundle)  # the searchset's bdl-* and each entry's resource
        for entry in bundle.get("entry", []):
            resource = entry["resource"]
            assert entry["fullUrl"].endswith(f"/{resource['resourceType']}/{resource['id']}")
            if entry["search"]["mode"] == "match":
                seen += 1
                assert resource["resourceType"] == resource_type
            for key in ("subject", "patient", "beneficiary"):
                if key in resource:
                    assert resource[key] == {"reference": f"Patient/{chen.pk}"}
    assert seen > 100


def test_each_search_result_reads_back_by_id(owner):
    for resource_type in SEARCHED:
        for entry in get(owner, f"{resource_type}?_count=3").json().get("entry", []):
            resource = entry["resource"]
            read = get(owner, f"{resource_type}/{resource['id']}")
            assert read.status_code == 200, resource_type
            assert read.json() == resource


def test_a_type_outside_the_tokens_scope_is_403(client, chen):
    token = app_token(chen, scope="patient/Observation.rs")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert get(client, "Observation", **auth).status_code == 200
    for path in ("Condition", "Condition/1", "Patient", f"Patient/{chen.pk}"):
        response = get(client, path, **auth)
        assert response.status_code == 403, path
        assert response.json()["issue"][0]["code"] == "forbidden"
        challenge = response["WWW-Authenticate"]  # RFC 6750 3.1
        assert challenge.startswith("Bearer ") and 'error="insufficient_scope"' in challenge
        assert f'scope="patient/{path.split("/")[0]}.rs"' in challenge


def test_rows_of_a_category_not_granted_are_invisible(client, chen):
    token = app_token(chen, categories=("labs",))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client.defaults.update(auth)
    ids = [e["resource"]["id"] for e in every_page(client, "Observation?_count=200")]
    assert ids and all(i.startswith("lab-") for i in ids)
    # Measurements and preventive checks are Observations too, but not granted.
    assert get(client, "Encounter", **auth).status_code == 403
    visit = Visit.objects.filter(person=chen).first()
    assert get(client, f"Encounter/{visit.pk}", **auth).status_code == 403


def test_a_read_of_a_category_not_granted_is_404(client, chen):
    lab = LabResult.objects.filter(person=chen).first()
    labs_only = {"HTTP_AUTHORIZATION": f"Bearer {app_token(chen, categories=('labs',))}"}
    measured = {"HTTP_AUTHORIZATION": f"Bearer {app_token(chen, categories=('measurements',))}"}
    assert get(client, f"Observation/lab-{lab.pk}", **labs_only).status_code == 200
    assert get(client, f"Observation/lab-{lab.pk}", **measured).status_code == 404


def _first_entries(client, person: Person) -> dict[str, list[dict]]:
    """A few resources of each type, as the person's own app reads them."""
    auth = {"HTTP_AUTHORIZATION": app_bearer(person)}
    return {t: get(client, f"{t}?_count=5", **auth).json().get("entry", []) for t in SEARCHED}


@pytest.mark.parametrize(("reader", "victim"), [(WU, CHEN), (LIN, CHEN), (LIN, LIN_DAUGHTER)])
def test_outsider_and_delegate_never_read_anothers_data(client, personas, reader, victim):
    """吳怡君 (outsider) and 林雅婷 (her daughter's delegate on the portal): an app
    serves the person in context only, by id or by patient=."""
    reader = Person.objects.get(national_id=reader)
    victim = Person.objects.get(national_id=victim)
    theirs = _first_entries(client, victim)
    assert sum(map(len, theirs.values())) > 5
    auth = {"HTTP_AUTHORIZATION": app_bearer(reader)}
    for resource_type, entries in theirs.items():
        for entry in entries:
            response = get(client, f"{resource_type}/{entry['resource']['id']}", **auth)
            assert response.status_code == 404, (resource_type, entry["resource"]["id"])
        key = "_id" if resource_type == "Patient" else "patient"
        for value in (victim.pk, f"Patient/{victim.pk}"):
            bundle = get(client, f"{resource_type}?{key}={value}", **auth).json()
            assert bundle["total"] == 0 and "entry" not in bundle


def app_bearer(person: Person) -> str:
    return f"Bearer {app_token(person)}"


def test_patient_param_of_the_person_in_context_matches(owner, chen):
    everything = get(owner, "Observation?_count=200").json()["total"]
    for value in (chen.pk, f"Patient/{chen.pk}", f"http://testserver/fhir/r4/Patient/{chen.pk}"):
        assert get(owner, f"Observation?_count=200&patient={value}").json()["total"] == everything


def test_patient_demographics_only_when_granted(client, chen):
    bare = {"HTTP_AUTHORIZATION": f"Bearer {app_token(chen, demographics=False)}"}
    full = {"HTTP_AUTHORIZATION": f"Bearer {app_token(chen)}"}
    patient = get(client, f"Patient/{chen.pk}", **full).json()
    assert patient["birthDate"] == chen.birth_date.isoformat()
    assert patient["name"][0]["text"] == chen.name
    # The national ID is never shared with an app, demographics or not (the consent screen
    # offers name, sex and birth date only).
    assert chen.national_id not in json.dumps(patient, ensure_ascii=False)
    # Without the demographics choice the token carries no Patient at all.
    assert get(client, f"Patient/{chen.pk}", **bare).status_code == 403


def test_no_answer_to_an_app_carries_the_national_id(client, chen):
    """Not in the Patient, a narrative, a Coverage or an _include: anywhere."""
    auth = {"HTTP_AUTHORIZATION": f"Bearer {app_token(chen)}"}
    for resource_type in SEARCHED:
        answer = get(client, f"{resource_type}?_count=200&_include=*", **auth)
        assert answer.status_code == 200, resource_type
        assert chen.national_id not in answer.content.decode(), resource_type


def test_a_revoked_grant_or_suspended_app_stops_its_tokens_at_once(client, chen):
    app = listing()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {app_token(chen, app=app)}"}
    assert get(client, "Observation", **auth).status_code == 200
    Listing.objects.filter(pk=app.pk).update(status=Listing.Status.SUSPENDED)
    assert get(client, "Observation", **auth).status_code == 401
    Listing.objects.filter(pk=app.pk).update(status=Listing.Status.APPROVED)
    Grant.objects.filter(listing=app).update(revoked_at=timezone.now())
    assert get(client, "Observation", **auth).status_code == 401


def test_an_expired_token_is_401(client, chen):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {app_token(chen)}"}
    AccessToken.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert get(client, "Observation", **auth).status_code == 401


def test_organizations_the_records_name_are_read(owner):
    bundle = get(owner, "Encounter?_include=Encounter:service-provider&_count=10").json()
    matches = [e for e in bundle["entry"] if e["search"]["mode"] == "match"]
    included = {
        f"Organization/{e['resource']['id']}"
        for e in bundle["entry"]
        if e["search"]["mode"] == "include"
    }
    assert included == {e["resource"]["serviceProvider"]["reference"] for e in matches}
    organization = included.pop()
    response = get(owner, organization)
    assert response.status_code == 200
    assert_valid(response.json())
    assert get(owner, "Organization/provider-0000000000").status_code == 404


# --- search parameters ------------------------------------------------------------------


def test_paging_follows_next_links_to_the_end_without_duplicates(owner):
    everything = get(owner, "Condition?_count=200").json()
    assert everything["total"] > 20
    paged = every_page(owner, "Condition?_count=7")
    ids = [e["resource"]["id"] for e in paged]
    assert len(ids) == len(set(ids)) == everything["total"]
    assert ids == [e["resource"]["id"] for e in everything["entry"]]
    first = get(owner, "Condition?_count=7").json()
    assert first["total"] == everything["total"] and len(first["entry"]) == 7
    assert {link["relation"] for link in first["link"]} == {"self", "next"}


def test_count_is_bounded_and_zero_gives_the_total_alone(owner):
    assert len(get(owner, "Condition").json()["entry"]) == 50
    assert len(get(owner, "Condition?_count=1000").json()["entry"]) <= 200
    alone = get(owner, "Condition?_count=0").json()
    assert alone["total"] > 0 and "entry" not in alone


def _dates(bundle: dict, element: str) -> list[str]:
    return [e["resource"][element][:10] for e in bundle.get("entry", [])]


def test_date_prefixes_compare_each_types_date(owner):
    every = _dates(get(owner, "Observation?_count=200").json(), "effectiveDateTime")
    middle = sorted(every)[len(every) // 2]
    checks = {
        f"ge{middle}": lambda d: d >= middle,
        f"gt{middle}": lambda d: d > middle,
        f"le{middle}": lambda d: d <= middle,
        f"lt{middle}": lambda d: d < middle,
        middle: lambda d: d == middle,
        f"eq{middle[:7]}": lambda d: d[:7] == middle[:7],
    }
    for value, wanted in checks.items():
        bundle = get(owner, f"Observation?_count=200&date={value}").json()
        found = _dates(bundle, "effectiveDateTime")
        assert sorted(found) == sorted(d for d in every if wanted(d)), value
    both = get(owner, f"Observation?_count=200&date=ge{middle[:4]}-01-01&date=le{middle}").json()
    assert all(f"{middle[:4]}-01-01" <= d <= middle for d in _dates(both, "effectiveDateTime"))


def test_code_and_category_tokens(owner):
    every = get(owner, "Observation?_count=200").json()["entry"]
    lab = next(e["resource"] for e in every if e["resource"]["id"].startswith("lab-"))
    coding = lab["code"]["coding"][0]
    same = [
        e["resource"]["id"]
        for e in every
        if any(c["code"] == coding["code"] for c in e["resource"]["code"]["coding"])
    ]
    for value in (coding["code"], f"{coding['system']}|{coding['code']}"):
        found = get(owner, f"Observation?_count=200&code={value}").json()["entry"]
        assert sorted(e["resource"]["id"] for e in found) == sorted(same)
    assert get(owner, f"Observation?code=other|{coding['code']}").json()["total"] == 0
    labs = get(owner, "Observation?_count=200&category=laboratory").json()
    system = "http://terminology.hl7.org/CodeSystem/observation-category"
    assert labs["total"] == get(owner, f"Observation?category={system}|laboratory").json()["total"]
    for entry in labs["entry"]:
        codes = {c["code"] for cat in entry["resource"]["category"] for c in cat["coding"]}
        assert "laboratory" in codes
    vital = get(owner, "Observation?_count=200&category:not=laboratory").json()
    assert labs["total"] + vital["total"] == len(every)


def test_last_updated_returns_only_rows_written_since(owner, chen):
    long_ago = timezone.now() - dt.timedelta(days=30)
    Visit.objects.filter(person=chen).update(updated_at=long_ago)
    since = (timezone.now() - dt.timedelta(days=1)).isoformat(timespec="seconds")
    assert since.endswith("+00:00")  # sent as it is: a bare "+" in a query is a space
    assert get(owner, f"Encounter?_lastUpdated=gt{since}").json()["total"] == 0
    visit = Visit.objects.filter(person=chen, kind=Visit.Kind.WESTERN).order_by("-visit_date")[0]
    visit.save()  # a correction from the provider
    changed = get(owner, f"Encounter?_lastUpdated=ge{since}").json()
    assert [e["resource"]["id"] for e in changed["entry"]] == [str(visit.pk)]
    stamp = changed["entry"][0]["resource"]["meta"]["lastUpdated"]
    assert dt.datetime.fromisoformat(stamp) >= dt.datetime.fromisoformat(since)


def test_unknown_parameters_are_ignored_unless_strict(owner):
    lenient = get(owner, "Condition?colour=blue&_count=1")
    assert lenient.status_code == 200 and lenient.json()["total"] > 1
    strict = get(owner, "Condition?colour=blue", HTTP_PREFER="handling=strict")
    assert strict.status_code == 400
    assert strict.json()["issue"][0]["details"]["coding"][0]["code"] == "unknown_parameter"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("date=yesterday", "invalid_date"),
        # Inside datetime's years, outside them in Asia/Taipei (was a 500).
        ("date=0001-01-01T00:00%2B14:00", "invalid_date"),
        ("date=le0001-01-01T00:00%2B14:00", "invalid_date"),
        ("date=9999-12-31T23:58-14:00", "invalid_date"),
        ("date=ap2024-01-01", "unsupported_prefix"),
        ("code:text=blood", "unsupported_modifier"),
        ("_count=many", "invalid_parameter"),
    ],
)
def test_malformed_searches_are_400_with_a_stable_code(owner, query, code):
    response = get(owner, f"Observation?{query}")
    assert response.status_code == 400
    outcome = response.json()
    assert_valid(outcome)
    assert outcome["issue"][0]["details"]["coding"][0]["code"] == code


def test_unknown_type_and_id_are_404(owner):
    assert get(owner, "Medication").status_code == 404
    assert get(owner, "Observation/lab-999999999").status_code == 404
    assert get(owner, "Encounter/999999999").status_code == 404


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("Observation?code=%ff", 400, "invalid_encoding"),
        ("Observation?" + "&".join(f"x{n}=1" for n in range(1200)), 400, "too_many_fields"),
        ("observation", 404, "unknown_path"),
        ("Observation/a/b", 404, "unknown_path"),
        ("", 404, "unknown_path"),
    ],
)
def test_refusals_before_the_views_and_unknown_paths_are_outcomes(owner, path, status, code):
    for method in (owner.get, owner.post):
        response = method(f"/fhir/r4/{path}")
        assert response.status_code == status, (path, method)
        assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
        outcome = response.json()
        assert_valid(outcome)
        assert outcome["issue"][0]["details"]["coding"][0]["code"] == code
        if "?" in path:
            break  # a POST with the same query string: the same refusal, checked once


def _crash(path: str, exc: Exception):
    """handler500's answer to `exc` raised by a view at `path`, as Django calls it."""
    request = RequestFactory().get(path)
    try:
        raise exc
    except Exception:  # noqa: BLE001 - as Django's handler sees it
        return server_error(request)


def test_a_crash_is_a_500_outcome_that_says_nothing_of_its_cause():
    response = _crash("/fhir/r4/Observation", ValueError("secret detail"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    outcome = orjson.loads(response.content)
    assert_valid(outcome)
    assert outcome["issue"][0]["code"] == "exception"
    assert outcome["issue"][0]["details"]["coding"][0]["code"] == "internal_error"
    assert b"secret" not in response.content and b"ValueError" not in response.content
    unreachable = _crash("/fhir/r4/Observation", OperationalError("connection refused"))
    assert unreachable.status_code == 503 and unreachable["Retry-After"]
    outcome = orjson.loads(unreachable.content)
    assert_valid(outcome)
    assert outcome["issue"][0]["details"]["coding"][0]["code"] == "unavailable"
    # Elsewhere the answers are as they were: the site's 500, the app API's JSON.
    assert _crash("/bank/", ValueError("x"))["Content-Type"].startswith("text/html")
    assert orjson.loads(_crash("/api/v1/today", OperationalError("x")).content)["code"]


# --- formats and conditional reads ------------------------------------------------------


def test_xml_is_refused_json_is_served(owner):
    assert get(owner, "Observation?_format=xml").status_code == 406
    assert get(owner, "Observation", HTTP_ACCEPT="application/fhir+xml").status_code == 406
    for accept in ("application/json", "application/fhir+json", "*/*"):
        assert get(owner, "Observation", HTTP_ACCEPT=accept).status_code == 200
    assert get(owner, "Observation?_format=json").status_code == 200
    assert get(owner, "metadata?_format=application/fhir+json").status_code == 200


def test_reads_carry_etag_and_last_modified_and_answer_304(owner, chen):
    visit = Visit.objects.filter(person=chen).order_by("-visit_date")[0]
    response = get(owner, f"Encounter/{visit.pk}")
    etag = response["ETag"]
    assert etag.startswith('W/"') and response["Last-Modified"]
    again = get(owner, f"Encounter/{visit.pk}", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    visit.copayment += 10
    visit.save()
    changed = get(owner, f"Encounter/{visit.pk}", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_conditional_reads_are_as_the_capability_statement_says(owner, chen):
    statement = get(owner, "metadata").json()
    said = {r["type"]: r["conditionalRead"] for r in statement["rest"][0]["resource"]}
    reads = [f"Patient/{chen.pk}"]
    for resource_type in SEARCHED:
        if resource_type == "Patient":
            continue
        bundle = get(owner, f"{resource_type}?_count=1&_include=*").json()
        reads += [
            f"{e['resource']['resourceType']}/{e['resource']['id']}"
            for e in bundle.get("entry", [])
        ]
    checked = set()
    for path in reads:
        resource_type = path.split("/")[0]
        first = get(owner, path)
        assert first.status_code == 200, path
        assert get(owner, path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304, path
        since = get(owner, path, HTTP_IF_MODIFIED_SINCE=first.get("Last-Modified", ""))
        supported = {"full-support": True, "not-match": False}[said[resource_type]]
        assert (since.status_code == 304) == supported, path
        checked.add(resource_type)
    # 陳志明 has no rows of a few types; every kind of answer is checked.
    assert {"Coverage", "Organization", "Patient", "Encounter", "Observation"} <= checked


# --- audit and cost ---------------------------------------------------------------------


def test_each_request_is_one_audit_row_of_the_app(owner, chen):
    before = AuditEvent.objects.count()
    get(owner, "Observation?_count=200")
    event = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == before + 1
    grant = Grant.objects.filter(person=chen).latest("granted_at")
    assert event.person == chen and event.action == AuditEvent.Action.RECORDS_READ
    assert event.actor == AuditEvent.Actor.APP and event.actor_id == grant.listing_id
    page = "fhir:Observation"
    assert event.detail == {"resource": "Observation", "scope": grant.scope, "page": page}
    get(owner, "metadata")
    assert AuditEvent.objects.count() == before + 1


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/fhir/r4/{path}").status_code == 200
    return len(captured)


def test_queries_do_not_grow_with_rows(owner, client, chen):
    lin = Person.objects.get(national_id=LIN)
    other = type(client)(HTTP_AUTHORIZATION=app_bearer(lin))
    assert Visit.objects.filter(person=chen).count() > 2 * Visit.objects.filter(person=lin).count()
    for path in ("Encounter?_count=200", "Observation?_count=200", "Condition", "Immunization"):
        assert _queries(owner, path) == _queries(other, path), path


def test_a_search_and_a_read_cost_a_few_queries(owner, chen, django_assert_max_num_queries):
    # the token (and its grant's last-used stamp), the visits' keys, the page's visits and
    # their diagnoses (an Encounter's one detail), the audit row
    with django_assert_max_num_queries(2 + 3 + 1):
        get(owner, "Encounter?_count=200")
    visit = Visit.objects.filter(person=chen, kind=Visit.Kind.WESTERN)[0]
    with django_assert_max_num_queries(2 + 2 + 1):
        get(owner, f"Encounter/{visit.pk}")
    lab = LabResult.objects.filter(person=chen)[0]
    with django_assert_max_num_queries(3 + 1):
        get(owner, f"Observation/lab-{lab.pk}")
