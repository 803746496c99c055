import json
import pytest
from healthbank.people.models import Person
from healthbank.fhir.tests.tokens import app_token
from tests.fixtures.personas import CHEN

pytestmark = pytest.mark.django_db

def test_smoke(client, personas):
    chen = Person.objects.get(national_id=CHEN)
    token = app_token(chen)
    h = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    out = {}
    for t in ["Patient", "Coverage", "Encounter", "Condition", "MedicationRequest", "Procedure", "Observation", "DiagnosticReport", "DocumentReference", "AllergyIntolerance", "Immunization", "Consent", "ExplanationOfBenefit"]:
        r = client.get(f"/fhir/r4/{t}?_count=200&_include=*", **h)
        out[t] = r.json()
        print(t, r.status_code, r.json().get("total"), len(r.content))
    r = client.get("/fhir/r4/metadata")
    out["metadata"] = r.json()
    json.dump(out, open("/tmp/hbapi/smoke.json", "w"), ensure_ascii=False, indent=1)
