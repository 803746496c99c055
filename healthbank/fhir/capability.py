"""What the FHIR API says about itself: the CapabilityStatement at `metadata` and an
OpenAPI 3 document at `openapi.json`, both built from fhir/search.py's table, so that
neither can list a parameter the server does not read."""

from __future__ import annotations

from typing import Any

from healthbank.fhir.search import MAX_COUNT, TYPES

FHIR_VERSION = "4.0.1"
FORMATS = ["application/fhir+json", "json"]
# Published with every read (SMART App Launch 2: the service and its security extension).
SMART_EXTENSION = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
PARAM_TYPES = {"date": "date", "token": "token", "reference": "reference"}
_COMMON_DOCS = {
    "_id": ("token", "The resource's id"),
    "_lastUpdated": ("date", "When the record was last written (meta.lastUpdated): for sync"),
    "_count": ("number", f"Entries per page (default 50, at most {MAX_COUNT}; 0: total only)"),
}


# Reads answer If-None-Match (ETag) with 304, and If-Modified-Since (Last-Modified) where
# the resource has a meta.lastUpdated: the records', not the Patient, Organizations or
# Coverage (cards carry no write time). test_api checks each type against a read.
_ETAG_ONLY = ("Coverage", "Organization", "Patient")


def _conditional_read(resource_type: str) -> str:
    return "not-match" if resource_type in _ETAG_ONLY else "full-support"


def capability_statement(base: str, oauth: dict[str, str], software: str, released: str) -> dict:
    """The server's CapabilityStatement: `base` the API's address, `oauth` the OAuth
    endpoints' addresses (authorize, token, revoke)."""
    resources: list[dict[str, Any]] = []
    for name, spec in sorted(TYPES.items()):
        params = [
            {"name": key, "type": PARAM_TYPES[param.kind]} for key, param in spec.params.items()
        ]
        params += [{"name": key, "type": kind, "documentation": doc} for key, (kind, doc) in
                   _COMMON_DOCS.items()]  # fmt: skip
        resource: dict[str, Any] = {
            "type": name,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "versioning": "no-version",
            "readHistory": False,
            "conditionalRead": _conditional_read(name),
            "searchInclude": [
                f"{name}:{key}"
                for key, p in spec.references().items()
                if p.target in ("Organization", "Patient")
            ],  # fmt: skip
            "searchParam": params,
        }
        if not resource["searchInclude"]:
            del resource["searchInclude"]
        resources.append(resource)
    resources.append(
        {
            "type": "Organization",
            "interaction": [{"code": "read"}],
            "conditionalRead": _conditional_read("Organization"),
            "documentation": "The providers and agencies the person's records name.",
        }
    )
    resources.sort(key=lambda r: r["type"])
    title = "My Health Bank (健康存摺) FHIR R4 API"
    return {
        "resourceType": "CapabilityStatement",
        # dom-6 (a narrative) and cpb-0 (a machine name) are warnings; we want none.
        "text": {
            "status": "generated",
            "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{title}: read-only, '
            "for the person in context, through SMART on FHIR.</p></div>",
        },
        "name": "HealthbankFhirR4",
        "status": "active",
        "date": released,
        "publisher": "healthbank",
        "kind": "instance",
        "software": {"name": "healthbank", "version": software},
        "implementation": {"description": title, "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": FORMATS,
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Read-only access to the person in context. An unknown search parameter "
                    "is ignored unless the request says Prefer: handling=strict."
                ),
                "security": {
                    "cors": False,
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/"
                                    "restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ],
                            "text": "OAuth2 using SMART-on-FHIR profile",
                        }
                    ],
                    "extension": [
                        {
                            "url": SMART_EXTENSION,
                            "extension": [
                                {"url": key, "valueUri": uri} for key, uri in oauth.items()
                            ],
                        }
                    ],
                },
                "resource": resources,
            }
        ],
    }


def _parameter(name: str, kind: str, description: str = "") -> dict:
    schema: dict[str, Any] = (
        {"type": "integer", "minimum": 0} if kind == "number" else {"type": "string"}
    )
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


_FHIR_JSON = {"application/fhir+json": {"schema": {"$ref": "#/components/schemas/Resource"}}}
_OUTCOME = {
    "description": "OperationOutcome",
    "content": {"application/fhir+json": {"schema": {"$ref": "#/components/schemas/Resource"}}},
}
_ERRORS = {str(code): _OUTCOME for code in (400, 401, 403, 404, 406)}


def openapi(base: str) -> dict:
    """An OpenAPI 3 document of the same: the paths, their parameters and answers."""
    paths: dict[str, Any] = {
        "/metadata": {
            "get": {
                "operationId": "metadata",
                "summary": "CapabilityStatement",
                "security": [],
                "responses": {"200": {"description": "CapabilityStatement", "content": _FHIR_JSON}},
            }
        }
    }
    for name, spec in sorted(TYPES.items()):
        params = [_parameter(key, param.kind) for key, param in spec.params.items()]
        params += [_parameter(key, kind, doc) for key, (kind, doc) in _COMMON_DOCS.items()]
        params.append(_parameter("_include", "string", "Type:reference-parameter"))
        paths[f"/{name}"] = {
            "get": {
                "operationId": f"search{name}",
                "summary": f"Search {name}",
                "parameters": params,
                "responses": {
                    "200": {"description": "searchset Bundle", "content": _FHIR_JSON},
                    **_ERRORS,
                },  # fmt: skip
            }
        }
    for name in [*sorted(TYPES), "Organization"]:
        paths[f"/{name}/{{id}}"] = {
            "get": {
                "operationId": f"read{name}",
                "summary": f"Read {name}",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[A-Za-z0-9\\-\\.]{1,64}$"},
                    }
                ],
                "responses": {
                    "200": {"description": name, "content": _FHIR_JSON},
                    "304": {"description": "Not modified (If-None-Match)"},
                    **_ERRORS,
                },
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "healthbank FHIR R4", "version": FHIR_VERSION},
        "servers": [{"url": base}],
        "security": [{"smart": []}],
        "components": {
            "securitySchemes": {"smart": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Resource": {
                    "type": "object",
                    "required": ["resourceType"],
                    "properties": {"resourceType": {"type": "string"}},
                }
            },
        },
        "paths": paths,
    }
