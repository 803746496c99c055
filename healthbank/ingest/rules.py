"""Limits and defaults of provider and agency uploads, named once.

Files are refused whole only when they cannot be read at all; otherwise each row is
accepted or refused on its own (unless the batch asks for all or nothing).
"""

from __future__ import annotations

import datetime as dt
import os

from healthbank.core import spreadsheets
from healthbank.records.models import Provider

Kind = Provider.Kind

# --- what each kind of reporter may send by default (staff may narrow or widen it) ------
CARE_TYPES = (
    "visit",
    "lab_result",
    "imaging_report",
    "discharge_summary",
    "allergy",
    "prior_review",
)
# The agencies' provider codes, which tell an agency's default scopes; the synthetic
# network (synth/network.py) creates the agencies with them.
AGENCY_CODES = {"cdc": "9900000001", "hpa": "9900000002", "mohw": "9900000003"}
AGENCY_TYPES = {
    "cdc": ("vaccination",),  # 疾管署: the immunisation registry
    "hpa": ("preventive_check",),  # 國健署: adult preventive care
    "mohw": ("care_wish",),  # 醫事司: organ-donation and hospice wishes
}


# Rows about the sender itself, not a person: its profile for the app's provider search and,
# from a hospital, its emergency room's load (rows.py).
PROVIDER_TYPES = frozenset({"facility", "er_load"})
HOSPITAL_KINDS = (Kind.MEDICAL_CENTRE, Kind.REGIONAL_HOSPITAL, Kind.DISTRICT_HOSPITAL)


def default_scopes(provider: Provider) -> list[str]:
    """Hospitals, clinics and pharmacies send care records and their own profile (hospitals
    their emergency room's load too); each agency its own registry."""
    if provider.kind in HOSPITAL_KINDS:
        return [*CARE_TYPES, "facility", "er_load"]
    if provider.kind != Kind.AGENCY:
        return [*CARE_TYPES, "facility"]
    for key, code in AGENCY_CODES.items():
        if provider.code == code:
            return list(AGENCY_TYPES[key])
    return []


# --- receiving a file (the size limit and the quota are settings: INGEST_*) --------------
# A FHIR Bundle is read whole (its references may point anywhere in it), so it has a bound
# of its own, whatever INGEST_MAX_FILE_BYTES allows; larger feeds are split, or sent as NDJSON.
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
# How much of a FHIR upload's start is looked at to refuse what is not a JSON object.
SNIFF_BYTES = 4096
# A stored upload that no batch holds is an upload cut off by a killed server.
ORPHAN_AFTER = dt.timedelta(days=1)

# --- reading a file ---------------------------------------------------------------------
MAX_LINE_BYTES = 64 * 1024  # one NDJSON line or CSV record: a visit with 200 orders fits
MAX_TEXT_CHARS = 4000  # a report's findings, a summary's course
MAX_ID_CHARS = 40  # the provider's record id (ReportedRecord.source_id)
# Text a spreadsheet would run as a formula when the data is exported to CSV later
# (OWASP "CSV injection"). Refused rather than altered: this is medical text.
FORMULA_PREFIXES = spreadsheets.FORMULA_PREFIXES

# Parsing runs in worker processes (processing.py) for files this large or larger, one per
# core unless settings.INGEST_PARSE_WORKERS says how many; smaller ones are parsed by
# the reading thread, as starting the processes would cost more than they save.
PARALLEL_PARSE_FROM_BYTES = 4 * 1024 * 1024
PARSE_WORKERS = (
    len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
)
# The cyclic garbage collector's thresholds while a batch is processed (processing.py);
# Python's default (700, 10, 10) spent more time than the parsing it interrupted.
GC_THRESHOLD = (50_000, 20, 100)

# --- sane values --------------------------------------------------------------------------
EARLIEST_DATE = dt.date(1900, 1, 1)
MAX_DIAGNOSES = 20  # an inpatient claim lists at most 20 (outpatient 3); spare for both
MAX_ORDERS = 200  # orders of one kind on one visit
MAX_COPAYMENT = 1_000_000  # NT$
MAX_POINTS = 50_000_000  # a long ICU stay is a few million points
MAX_DRUG_DAYS = 180  # chronic refills are 28-90 days; 180 is the longest we take
MAX_QUANTITY = 100_000  # drug units, or a service's count
MAX_REFILL_NUMBER = 4
CARD_SEQUENCE_CHARS = 4
MAX_DEPARTMENTS = 60  # a medical centre has about 40
MAX_WAITING = 2_000  # patients in one emergency room: a mass-casualty day stays under it
# A report's time may be ahead of ours by a clock's drift, no more.
CLOCK_SKEW = dt.timedelta(minutes=5)

# Types checked against the person's NHI enrolment on the record's date. The CDC's
# registry and MOHW's wishes cover every resident, insured or not.
INSURED_TYPES = frozenset(
    {
        "visit",
        "lab_result",
        "imaging_report",
        "discharge_summary",
        "allergy",
        "preventive_check",
        "prior_review",
    }
)

# --- prior review (事前審查) reported by the provider that asked for it -----------------------
# NHIA's decision as the provider reports it (全民健康保險醫療費用申報與核付及醫療服務審查辦法:
# 核定, 部分核定, 不予核定).
PRIOR_REVIEW_DECISIONS = ("approved", "partly", "not_approved")
PRIOR_REVIEW_NOTE_CHARS = 200  # what the person's case shows (Case.decision_note)

# --- sharing the workers (tasks.py) ----------------------------------------------------------
# A batch is processed in turns of settings.INGEST_SLICE_SECONDS: when its turn is over and
# another task waits, the run stops at its checkpoint and queues the rest behind it. A batch's
# first turn goes before any batch's rest, so a small upload never waits for a big one; within
# each, a provider's batch goes down a step of priority for each other batch of that
# provider unfinished, so one provider's many batches do not hold back another's one.
# (django-tasks runs the highest priority first, -100 to 100, first queued first within one.)
FIRST_TURN_PRIORITY = 50
LATER_TURN_PRIORITY = 0
PROVIDER_BACKLOG_STEPS = 40

# A batch unfinished with no chunk committed for this long lost its worker; it is queued
# again. A chunk of 5,000 rows commits in about a second, so 15 minutes is no slow run.
STALLED_AFTER = dt.timedelta(minutes=15)
