"""The validator the FHIR tests share: each of its three checks catches what it should."""

from __future__ import annotations

import pytest

from healthbank.fhir.tests import validation
from healthbank.fhir.tests.validation import assert_valid, assert_valid_bundle

DIV = '<div xmlns="http://www.w3.org/1999/xhtml"><p>第二型糖尿病</p></div>'


def condition(**changes) -> dict:
    resource = {
        "resourceType": "Condition",
        "id": "1",
        "text": {"status": "generated", "div": DIV},
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "encounter-diagnosis",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9"}]},
        "subject": {"reference": "Patient/1"},
        "onsetPeriod": {"start": "2024-01-01", "end": "2024-02-01"},
    }
    return {k: v for k, v in (resource | changes).items() if v is not None}


def test_a_valid_condition_passes():
    assert_valid(condition())


def test_the_model_check_names_the_resource():
    with pytest.raises(AssertionError, match=r"(?s)Condition/1 .*\[fhir.resources R4B\]"):
        assert_valid(condition(subject="Patient/1"))


def test_the_schema_rejects_what_r4_has_not():
    with pytest.raises(AssertionError, match=r"\[FHIR 4.0.1 JSON schema\] .*wrongElement"):
        assert_valid(condition(wrongElement=True))


def test_con_3_wants_a_clinical_status_beside_a_category():
    with pytest.raises(AssertionError, match=r"con-3 at Condition"):
        assert_valid(condition(clinicalStatus=None))


def test_per_1_and_data_type_invariants_hold_on_choice_elements():
    with pytest.raises(AssertionError, match=r"per-1 at Condition.onset.ofType\(Period\)"):
        assert_valid(condition(onsetPeriod={"start": "2024-02-01", "end": "2024-01-01"}))


def test_ele_1_rejects_empty_elements():
    with pytest.raises(AssertionError, match=r"ele-1"):
        assert_valid(condition(code={"coding": [{}], "text": "x"}))


@pytest.mark.parametrize(
    "div",
    [
        '<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></div>',
        '<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="x()">a</p></div>',
        '<div xmlns="http://www.w3.org/1999/xhtml"> </div>',
        "<div>no namespace</div>",
        '<div xmlns="http://www.w3.org/1999/xhtml"><p>unclosed</div>',
    ],
)
def test_narratives_keep_to_fhirs_xhtml(div):
    with pytest.raises(AssertionError, match=r"txt-[12]"):
        assert_valid(condition(text={"status": "generated", "div": div}))


def test_dom_6_wants_a_narrative():
    with pytest.raises(AssertionError, match=r"dom-6"):
        assert_valid(condition(text=None))


def test_a_bundle_is_checked_with_each_entry():
    bundle = {
        "resourceType": "Bundle",
        "id": "b",
        "type": "collection",
        "entry": [{"fullUrl": "urn:uuid:1", "resource": condition(clinicalStatus=None)}],
    }
    with pytest.raises(AssertionError, match=r"(?s)Condition/1 .*con-3"):
        assert_valid_bundle(bundle)
    bundle["entry"][0]["resource"] = condition()
    assert_valid_bundle(bundle)


@pytest.mark.parametrize(
    "resource",
    [
        condition(),
        condition(code={"coding": [{}]}),
        condition(code={"coding": [{"id": "a"}], "text": "x"}),
        condition(category=[]),
        condition(note=[{"text": "ok", "authorString": None}]),
    ],
)
def test_ele_1_walked_in_python_agrees_with_fhirpathpy(resource):
    by_fhirpath = validation._compiled(
        "Condition.descendants()", "hasValue() or (children().count() > id.count())"
    )(resource, {"resource": resource})
    assert (by_fhirpath == [True]) == (validation._empty_element(resource, "Condition") is None)
