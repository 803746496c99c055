"""The FHIR R4 API (`/fhir/r4/`): the CapabilityStatement, read and search-type of the
person in context's resources, and Organization reads.

Every answer is `application/fhir+json` (JSON asked for by `_format` or Accept; XML is
refused with 406). Errors are OperationOutcomes whose `details.coding` carries a stable
code (system `ERRORS`). A request without a usable bearer token is 401 with
`WWW-Authenticate: Bearer`; a type the token does not cover is 403; anything the person's
grant does not cover, or another person's, is 404 (a search: not there). Each request with
a token is one `records.read` audit row, actor the app's listing.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import orjson
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.datastructures import MultiValueDict
from django.utils.html import escape
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from healthbank.audit.services import Action, Actor, client_address, record
from healthbank.fhir import reads
from healthbank.fhir.access import Access, bearer_access
from healthbank.fhir.capability import capability_statement, openapi
from healthbank.fhir.scopes import PATIENT
from healthbank.fhir.search import (
    TYPES,
    SearchError,
    TypeSpec,
    date_range,
    included,
    order_key,
    parse,
)

BASE_PATH = "/fhir/r4/"  # every answer under it is FHIR JSON, errors OperationOutcomes
FHIR_JSON = "application/fhir+json; charset=utf-8"
ERRORS = "https://healthbank.example/fhir/errors"  # the system of our stable error codes
_JSON = {"json", "application/json", "application/fhir+json", "application/json+fhir"}
_XML = {"xml", "text/xml", "application/xml", "application/fhir+xml", "application/xml+fhir"}
_ACCEPTS = _JSON | {"*/*", "application/*"}
ORGANIZATION = "Organization"
# FHIR issue types (valueset-issue-type) by HTTP status.
_ISSUE = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    413: "too-long",
    500: "exception",
    503: "transient",
}
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")  # FHIR's id


def _render(body: dict[str, Any], status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(orjson.dumps(body), status=status, content_type=FHIR_JSON)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def outcome(status: int, code: str, message: str, **headers: str) -> HttpResponse:
    """An OperationOutcome answer: `code` stable (clients test it), the message for people."""
    issue = {
        "severity": "error",
        "code": _ISSUE.get(status, "processing"),
        "details": {"coding": [{"system": ERRORS, "code": code}], "text": message},
    }
    body = {"resourceType": "OperationOutcome", "text": narrative(message), "issue": [issue]}
    return _render(body, status, **headers)


def narrative(text: str) -> dict[str, str]:
    """A generated narrative of one paragraph (dom-6: every resource should have one)."""
    div = f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{escape(text)}</p></div>'
    return {"status": "generated", "div": div}


def _media(value: str) -> str:
    # `_format=application/fhir+json` unencoded in a query string arrives with a space.
    return value.split(";")[0].strip().lower().replace(" ", "+")


def _unacceptable(request: HttpRequest) -> HttpResponse | None:
    """406 unless the client takes JSON: `_format` first, then Accept."""
    wanted = request.GET.get("_format")
    if wanted is not None:
        if _media(wanted) in _JSON:
            return None
        if _media(wanted) in _XML:
            return outcome(406, "xml_not_supported", "This server speaks JSON only.")
        return outcome(406, "format_not_supported", f"Unknown _format {wanted!r}.")
    accept = request.headers.get("Accept", "")
    if not accept.strip() or any(_media(part) in _ACCEPTS for part in accept.split(",")):
        return None
    return outcome(406, "not_acceptable", "This server answers application/fhir+json only.")


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("/metadata")


def fhir_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET and HEAD only, JSON negotiated. No cookies are read: no CSRF check."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            message = "This API is read-only: GET (or HEAD) only."
            return outcome(405, "method_not_allowed", message, Allow="GET, HEAD")
        return _unacceptable(request) or view(request, *args, **kwargs)

    return wrapper


# --- public ----------------------------------------------------------------------------


def _oauth_uris(request: HttpRequest) -> dict[str, str]:
    names = {
        "authorize": "oauth2_provider:authorize",
        "token": "oauth2_provider:token",
        "revoke": "oauth2_provider:revoke-token",
    }
    return {key: request.build_absolute_uri(reverse(name)) for key, name in names.items()}


@fhir_view
def metadata(request: HttpRequest) -> HttpResponse:
    version = importlib.metadata.version("healthbank")
    today = timezone.localdate().isoformat()
    return _render(capability_statement(_base(request), _oauth_uris(request), version, today))


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """Any address under the base that no interaction has (any method)."""
    return outcome(404, "unknown_path", f"This server has nothing at {request.path}.")


@fhir_view
def openapi_document(request: HttpRequest) -> HttpResponse:
    response = _render(openapi(_base(request)))
    response["Content-Type"] = "application/json"
    return response


# --- the person's resources ------------------------------------------------------------


def _unauthorised(request: HttpRequest) -> HttpResponse:
    given = "Authorization" in request.headers
    challenge = 'Bearer realm="healthbank"' + (', error="invalid_token"' if given else "")
    message = "The access token is invalid, expired or revoked." if given else "Sign in first."
    return outcome(401, "unauthorized", message, WWW_Authenticate=challenge)


def _audit(request: HttpRequest, access: Access, resource_type: str, success: bool) -> None:
    record(
        action=Action.RECORDS_READ,
        person=access.person,
        actor=Actor.APP,
        actor_id=access.listing.pk,
        address=client_address(request),
        success=success,
        resource=resource_type,
        scope=access.grant.scope,
        page=f"fhir:{resource_type}",
    )


def _authorised(
    request: HttpRequest, resource_type: str
) -> tuple[Access | None, HttpResponse | None]:
    """The request's access to `resource_type`, or the answer refusing it."""
    access = bearer_access(request)
    if access is None:
        return None, _unauthorised(request)
    if resource_type not in TYPES and resource_type != ORGANIZATION:
        return None, outcome(404, "unknown_type", f"This server has no {resource_type}.")
    if resource_type != ORGANIZATION and resource_type not in access.resource_types:
        _audit(request, access, resource_type, success=False)
        message = f"The access token does not cover {resource_type}."
        challenge = (  # RFC 6750 3.1: the scope that would do
            f'Bearer realm="healthbank", error="insufficient_scope", '
            f'scope="patient/{resource_type}.rs"'
        )
        return None, outcome(403, "scope_not_granted", message, WWW_Authenticate=challenge)
    return access, None


def _strict(request: HttpRequest) -> bool:
    prefer = request.headers.get("Prefer", "").replace(" ", "").lower()
    return "handling=strict" in prefer.replace(";", ",").split(",")


@fhir_view
def search(request: HttpRequest, resource_type: str) -> HttpResponse:
    access, refusal = _authorised(request, resource_type)
    if access is None:
        return refusal or _unauthorised(request)
    if resource_type == ORGANIZATION:
        return outcome(404, "search_not_supported", "Organizations are read by id only.")
    spec = TYPES[resource_type]
    try:
        query = parse(spec, request.GET, patient_id=str(access.person.pk), strict=_strict(request))
    except SearchError as error:
        _audit(request, access, resource_type, success=False)
        return outcome(400, error.code, str(error))
    base = _base(request)
    today = timezone.localdate()
    paged = None if resource_type == PATIENT else reads.page(access, query, today=today, base=base)
    if paged is not None:  # ordered and counted by keys, the page's rows alone rendered
        page, total, organizations = paged.entries, paged.total, paged.organizations
    else:
        if resource_type == PATIENT:
            entries, organizations = [reads.patient(access, base=base)], {}
        else:
            found = reads.search(access, query, today=today, base=base)
            entries, organizations = found.records, found.organizations
        matches = [e for e in entries if query.matches(e["resource"])]
        matches.sort(key=lambda e: order_key(spec, e["resource"]))
        page, total = matches[query.offset : query.offset + query.count], len(matches)
    bundle_entries = [{**e, "search": {"mode": "match"}} for e in page]
    if query.include and page:
        refs = included(spec, query.include, [e["resource"] for e in page])
        patient = f"{PATIENT}/{access.person.pk}"
        for ref in refs:
            if ref == patient and PATIENT in access.resource_types:
                extra = reads.patient(access, base=base)
            elif ref in organizations:
                extra = organizations[ref]
            else:
                continue
            bundle_entries.append({**extra, "search": {"mode": "include"}})
    _audit(request, access, resource_type, success=True)
    links = [{"relation": "self", "url": _page_url(base, spec, request, query.offset, query.count)}]
    if query.count and query.offset + query.count < total:
        following = query.offset + query.count
        links.append(
            {"relation": "next", "url": _page_url(base, spec, request, following, query.count)}
        )
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
    }
    if bundle_entries:
        bundle["entry"] = bundle_entries
    return _render(bundle)


def _page_url(base: str, spec: TypeSpec, request: HttpRequest, offset: int, count: int) -> str:
    params = [
        (key, value)
        for key in request.GET
        if key not in ("_offset", "_count")
        for value in request.GET.getlist(key)
    ]
    params += [("_count", str(count)), ("_offset", str(offset))]
    return f"{base}/{spec.name}?{urlencode(params)}"


@fhir_view
def read(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    access, refusal = _authorised(request, resource_type)
    if access is None:
        return refusal or _unauthorised(request)
    base = _base(request)
    today = timezone.localdate()
    entry: dict[str, Any] | None
    if not _ID.match(resource_id):
        entry = None
    elif resource_type == ORGANIZATION:
        entry = reads.organizations(access, today=today, base=base).get(
            f"{ORGANIZATION}/{resource_id}"
        )
    elif resource_type == PATIENT:
        entry = reads.patient(access, base=base) if resource_id == str(access.person.pk) else None
    else:
        pid = str(access.person.pk)
        query = parse(TYPES[resource_type], MultiValueDict(), patient_id=pid, strict=False)
        entry = reads.one(access, query, resource_id, today=today, base=base)
    _audit(request, access, resource_type, success=entry is not None)
    if entry is None:
        return outcome(404, "not_found", f"{resource_type}/{resource_id} is not known here.")
    resource = entry["resource"]
    body = orjson.dumps(resource)
    etag = f'W/"{hashlib.sha256(body).hexdigest()[:20]}"'
    updated = resource.get("meta", {}).get("lastUpdated")
    last_modified = None
    if updated:
        last_modified = int(date_range(updated)[0].timestamp())
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        not_modified["ETag"] = etag
        return not_modified
    response = HttpResponse(body, content_type=FHIR_JSON)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    return response
