"""The one shape every upload format is read into: a *row*, a dict of JSON values.

Readers (formats/ndjson.py, formats/csv.py, formats/fhir.py) turn a file into rows; the
validation and the writes (services.py) know only rows. A reader is given the file open
for reading in binary and yields, in file order, `(position, row)` or `(position, Problem)`
where position is the line (NDJSON, CSV) or the Bundle entry index (FHIR), starting at 1.
It reads the file as it goes, so its memory does not grow with the file (a Bundle, read
whole, is bounded by rules.MAX_BUNDLE_BYTES instead).

Every row has `type`, `id` (the provider's own record id: with the provider it is the key,
so sending a row again updates it) and, unless it voids, `national_id`. Dates are
"YYYY-MM-DD" strings, codes are the code tables' codes as strings; `?` marks optional keys.

- visit: kind (western, tcm, dental, pharmacy, inpatient), visit_date, discharge_date?,
  department, diagnoses [ICD-10-CM codes, the first is the main one], copayment, points,
  card_sequence, chronic_refill?, refill_number?, drug_orders? [{drug, days, quantity,
  frequency?}], service_orders? [{service, quantity?, tooth?}], surgeries? [{service,
  body_site, performed_on}]
- lab_result: item, collected_on, value_text, value?, flag? ("", H, L, A), visit? (a visit's id)
- imaging_report: kind (imaging, pathology), service, body_site, examined_on, findings,
  impression, visit?
- discharge_summary: visit (the inpatient visit's id), admitted_on, discharged_on,
  chief_complaint, diagnoses, course, procedures?, discharge_plan
- allergy: recorded_on, substance, drug?, reaction?, physician?
- vaccination: vaccine, given_on, lot_number?
- preventive_check: checked_on and the PreventiveCheck model's fields by name
- care_wish: kind (organ_donation, hospice, no_cpr, no_life_sustaining), signed_on, noted_on,
  revoked_on?
- prior_review (事前審查; `id` is the provider's case number): service? or drug? (exactly one:
  what is asked for), submitted_on, decision? (approved, partly, not_approved), decided_on?
  (with a decision), note?; sending it again with its decision moves the person's case

Two types are about the sender itself, not a person (no `national_id`; rules.PROVIDER_TYPES):

- facility (院所資料: what the app's provider search shows): latitude, longitude (degrees,
  WGS 84, inside Taiwan), sessions [`mon_morning` ... `sun_evening`: the sessions it is open],
  departments? [department codes], emergency_level? (severe, moderate, general: 急救責任醫院
  分級, hospitals only; absent when it is none). `id` is the sender's own name for the row;
  the last one sent is the provider's profile. It cannot be voided.
- er_load (急診即時訊息, hospitals): reported_at ("YYYY-MM-DDTHH:MM[:SS]+08:00", with its
  offset), waiting_to_be_seen (等候看診), waiting_for_bed (等候推床), waiting_for_admission
  (等候住院): numbers of patients in the emergency room at that time

Limits and kinds of every field: fields.py; the documents: schemas/.

A row `{"type": ..., "id": ..., "void": true}` voids (deletes) the provider's earlier record.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

TYPES = (
    "visit",
    "lab_result",
    "imaging_report",
    "discharge_summary",
    "allergy",
    "vaccination",
    "preventive_check",
    "care_wish",
    "prior_review",
    "facility",
    "er_load",
)


@dataclass(frozen=True)
class Problem:
    """Why a row (or the file) was refused: `field` is the row's key ("" for the whole row),
    `message` in English for the provider's IT staff."""

    position: int
    field: str
    message: str


class Reader(Protocol):
    def __call__(self, file: BinaryIO) -> Iterator[tuple[int, dict | Problem]]: ...
