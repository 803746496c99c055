"""Is a FHIR resource valid R4? Three checks from two ecosystems, for any test to call.

`assert_valid(resource)` runs, in order:

1. **fhir.resources** (Python, pydantic): the resource parses as its R4B class. The
   installed fhir.resources 8 has no plain R4 package; R4B (4.3) validates R4 (4.0.1)
   resources of every type we write (none changed shape between them).
2. **The official FHIR 4.0.1 JSON schema** (HL7's `fhir.schema.json`, vendored in
   `schema/`, see its README) with `jsonschema` (draft 6): types, cardinality of arrays,
   required-by-schema properties, closed enums of required code bindings, no unknown
   property. Validated against the resource type's own definition, not the 146-way
   `oneOf` at the schema's root, so each resource costs one pass.
3. **FHIRPath invariants** of the resource type's StructureDefinition and of the data
   types its elements use (con-3, obs-6, dom-2 ... dom-6, ele-1, per-1, txt-1 ...),
   from `schema/invariants.json.gz`, evaluated with `fhirpathpy` on the R4 model. Warnings
   (con-3, dom-6) count as failures: we want none. ele-1 (every element has a value or
   children) is walked in Python, 80 times faster than fhirpathpy over `descendants()`;
   test_validation shows both agree. fhirpathpy lacks two functions the
   invariants use; they are given here: `hasValue()` (a single primitive with a value)
   and `htmlChecks()` (the narrative's XHTML rules: well-formed, in the XHTML namespace,
   only the elements and attributes FHIR allows, some text). The invariants fhirpathpy
   cannot evaluate at all are listed in the file's `skipped` with the reason.

`assert_valid_bundle(bundle)` checks the Bundle itself (its invariants, bdl-*, on the
whole; the model and the schema on its shell without the entries' resources, so the
schema does not try every type on each) and every entry's resource with `assert_valid`.

Compiled validators and expressions are cached per process: the first call of a type
pays for compiling, later ones cost about a millisecond or two.
"""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own narratives, not input
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from fhir.resources.R4B import get_fhir_model_class
from fhirpathpy import compile as fhirpath_compile
from fhirpathpy.engine.util import get_data
from fhirpathpy.models import models
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT6

SCHEMA_DIR = Path(__file__).parent / "schema"
SCHEMA_ID = "http://hl7.org/fhir/json-schema/4.0"
XHTML = "{http://www.w3.org/1999/xhtml}"
# Narrative XHTML (FHIR R4 narrative.html#xhtml): no scripts, forms, frames, objects...
_HTML_ELEMENTS = set(
    "a abbr acronym b big blockquote br caption cite code col colgroup dd dfn div dl dt em "
    "h1 h2 h3 h4 h5 h6 hr i img li ol p pre q samp small span strong sub sup table tbody td "
    "tfoot th thead tr tt ul var".split()
)
_HTML_ATTRIBUTES = set(
    "abbr accesskey align alt axis bgcolor border cellhalign cellpadding cellspacing cellvalign "
    "char charoff charset cite class colspan compact coords dir frame headers height href "
    "hreflang hspace id lang longdesc name nowrap rel rev rowspan rules scope shape span src "
    "start style summary title type valign value vspace width".split()
)


# -- 1. fhir.resources -------------------------------------------------------------------


def _check_model(resource: dict) -> str | None:
    try:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except Exception as error:  # pydantic's ValidationError, or an unknown type
        return str(error)
    return None


# -- 2. the official JSON schema ---------------------------------------------------------


@cache
def _schema() -> dict:
    return json.loads(gzip.decompress((SCHEMA_DIR / "fhir.schema.json.gz").read_bytes()))


@cache
def _schema_validator(resource_type: str) -> jsonschema.Draft6Validator:
    schema = _schema()
    if resource_type not in schema["definitions"]:
        raise AssertionError(f"{resource_type} is not an R4 resource type")
    registry: Registry = Registry().with_resource(
        SCHEMA_ID, Resource(contents=schema, specification=DRAFT6)
    )
    ref = {"$ref": f"{SCHEMA_ID}#/definitions/{resource_type}"}
    return jsonschema.Draft6Validator(ref, registry=registry)


def _check_schema(resource: dict) -> str | None:
    validator = _schema_validator(resource["resourceType"])
    errors = sorted(validator.iter_errors(resource), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    return "; ".join(
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}" for e in errors[:5]
    )


# -- 3. FHIRPath invariants --------------------------------------------------------------


def _has_value(nodes: list) -> list[bool]:
    if len(nodes) != 1:
        return [False]
    value = get_data(nodes[0])
    return [value is not None and not isinstance(value, dict | list)]


def _html_ok(div: Any) -> bool:
    if not isinstance(div, str):
        return False
    try:
        root = ET.fromstring(div)  # noqa: S314 - our own output
    except ET.ParseError:
        return False
    if root.tag != f"{XHTML}div":
        return False
    for element in root.iter():
        if not element.tag.startswith(XHTML) or element.tag[len(XHTML) :] not in _HTML_ELEMENTS:
            return False
        if any(a not in _HTML_ATTRIBUTES for a in element.attrib):
            return False
    return bool("".join(root.itertext()).strip()) or root.find(f".//{XHTML}img") is not None


def _html_checks(nodes: list) -> list[bool]:
    return [all(_html_ok(get_data(n)) for n in nodes)]


_OPTIONS = {
    "userInvocationTable": {
        "hasValue": {"fn": _has_value, "arity": {0: []}},
        "htmlChecks": {"fn": _html_checks, "arity": {0: []}},
    }
}


@cache
def _invariants() -> dict:
    return json.loads(gzip.decompress((SCHEMA_DIR / "invariants.json.gz").read_bytes()))


@cache
def _compiled(path: str, expression: str) -> Callable:
    return fhirpath_compile(f"{path}.all({expression})", models["r4"], _OPTIONS)


@cache
def _steps(path: str) -> tuple[str, ...]:
    """A constraint's path as JSON keys after the type: `value.ofType(Quantity)` becomes
    `valueQuantity`, a bare choice element `value` stays (any `value<Type>` matches)."""
    steps: list[str] = []
    for step in path.split(".")[1:]:
        if step.startswith("ofType("):
            kind = step[len("ofType(") : -1]
            steps[-1] += kind[0].upper() + kind[1:]
        else:
            steps.append(step.strip("`"))
    return tuple(steps)


def _children(node: Any, key: str) -> list:
    if not isinstance(node, dict):
        return []
    if key in node:
        found = [node[key]]
    else:  # a choice element named without its type
        n = len(key)
        found = [v for k, v in node.items() if k.startswith(key) and k[n : n + 1].isupper()]
    return [x for v in found for x in (v if isinstance(v, list) else [v])]


def _present(resource: dict, path: str) -> bool:
    """Whether any node the path names is in the resource: an invariant on nodes that are
    not there holds, and walking the JSON is far cheaper than evaluating it."""
    nodes: list = [resource]
    for key in () if path.endswith("descendants()") else _steps(path):
        nodes = [child for node in nodes for child in _children(node, key)]
        if not nodes:
            return False
    return True


def _empty_element(node: Any, path: str) -> str | None:
    """ele-1 (`hasValue() or (children().count() > id.count())`) on every element, walked
    in Python: fhirpathpy takes ~4 ms a resource over `descendants()`, this ~0.05 ms.
    test_validation checks that the two agree. In JSON an element without a value or
    children is null, "" (hasValue() by its letter, but no FHIR string is empty), an empty
    object or one holding only an id."""
    if isinstance(node, dict):
        if not node or set(node) == {"id"}:
            return path
        for key, value in node.items():
            if key != "resourceType" and (found := _empty_element(value, f"{path}.{key}")):
                return found
        return None
    if isinstance(node, list):  # an empty array is an absent element to FHIRPath
        for n, value in enumerate(node):
            if found := _empty_element(value, f"{path}[{n}]"):
                return found
        return None
    return path if node is None or node == "" else None


def _check_invariants(resource: dict) -> str | None:
    resource_type = resource["resourceType"]
    if resource_type not in _invariants()["invariants"]:
        raise AssertionError(f"no invariants vendored for {resource_type}: rebuild schema/")
    failures = []
    for invariant in _invariants()["invariants"][resource_type]:
        if invariant["key"] == "ele-1":
            if empty := _empty_element(resource, resource_type):
                failures.append(f"ele-1 at {empty}: {invariant['human']}")
            continue
        for path in invariant["paths"]:
            if not _present(resource, path):
                continue
            result = _compiled(path, invariant["expression"])(resource, {"resource": resource})
            if result != [True]:
                failures.append(f"{invariant['key']} at {path}: {invariant['human']}")
    return "; ".join(failures) or None


# -- the checks together -----------------------------------------------------------------

_CHECKS = (
    ("fhir.resources R4B", _check_model),
    ("FHIR 4.0.1 JSON schema", _check_schema),
    ("FHIRPath invariants", _check_invariants),
)


def _name(resource: dict) -> str:
    return f"{resource.get('resourceType', '?')}/{resource.get('id', '?')}"


def assert_valid(resource: dict) -> None:
    """Fail with every check's findings on `resource`, named by type and id."""
    assert isinstance(resource, dict) and "resourceType" in resource, resource
    problems = [f"[{name}] {found}" for name, check in _CHECKS if (found := check(resource))]
    assert not problems, f"{_name(resource)} is not valid FHIR R4:\n" + "\n".join(problems)


def assert_valid_bundle(bundle: dict) -> None:
    """Fail unless the Bundle and each entry's resource are valid."""
    assert bundle.get("resourceType") == "Bundle", bundle.get("resourceType")
    # The shell without the entries' resources for the model and the schema (each resource
    # is checked on its own below); the invariants (bdl-*) need the whole bundle.
    shell = dict(bundle)
    shell["entry"] = [
        {k: v for k, v in entry.items() if k != "resource"} for entry in bundle.get("entry", [])
    ]
    problems = [
        f"[{name}] {found}"
        for name, check in _CHECKS
        if (found := check(bundle if check is _check_invariants else shell))
    ]
    assert not problems, f"{_name(bundle)} is not valid FHIR R4:\n" + "\n".join(problems)
    for entry in bundle.get("entry", []):
        assert_valid(entry["resource"])
