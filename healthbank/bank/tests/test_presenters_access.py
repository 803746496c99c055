"""The access presenter's rows of reads: the kind of reader, apps by name and scope, NHIA
staff by role and the reason in the reader's language (a common one) or as typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from healthbank.audit.models import AuditEvent
from healthbank.audit.selectors import READERS, AccessPage
from healthbank.bank.presenters.access import READER_LABELS, reader_of, rows

Action, Actor = AuditEvent.Action, AuditEvent.Actor
AT = dt.datetime(2026, 12, 7, 3, 5, tzinfo=dt.UTC)
SUBJECT, VIEWER = 10, 20


def event(actor: str = Actor.PERSON, actor_id: int | None = SUBJECT, **detail) -> AuditEvent:
    return AuditEvent(
        at=AT, action=Action.RECORDS_READ, actor=actor, actor_id=actor_id, detail=detail
    )


def row(found_event: AuditEvent, *, apps=None, people=None):
    found = AccessPage(events=[found_event], number=1, has_next=False, people=people or {})
    with translation.override("en"):
        [made] = rows(found, viewer_id=VIEWER, subject_id=SUBJECT, subject_name="王品妤", apps=apps)
    return made


@pytest.mark.parametrize(
    ("actor", "actor_id", "reader"),
    [
        (Actor.PERSON, SUBJECT, "own"),
        (Actor.PERSON, None, "own"),  # rows written before the reader was kept
        (Actor.PERSON, VIEWER, "family"),
        (Actor.APP, 3, "apps"),
        (Actor.PROVIDER, 4, "providers"),
        (Actor.STAFF, 5, "staff"),
        (Actor.SYSTEM, None, ""),
    ],
)
def test_each_event_has_the_kind_of_reader_the_filter_gives(actor, actor_id, reader):
    assert reader_of(event(actor, actor_id), SUBJECT) == reader


def test_every_kind_of_reader_has_a_label_in_the_filters_order():
    assert tuple(READER_LABELS) == READERS


def test_the_viewers_own_read_of_a_childs_record_is_theirs_and_a_parents():
    made = row(event(Actor.PERSON, VIEWER, page="bank:cards"))
    assert (made.who, made.reader) == (
        "You",
        "Family (a parent, or someone you gave family access)",
    )
    assert made.detail == "NHI card and issuance records"
    own = row(event(Actor.PERSON, SUBJECT, page="bank:cards"))
    assert (own.who, own.reader) == ("王○妤", "Own sessions (website and app)")


def test_an_app_is_named_with_the_scope_it_read_under():
    read = event(
        Actor.APP, 3, resource="Condition", scope="patient/Condition.read", page="fhir:Condition"
    )
    made = row(read, apps={3: "健康日記"})
    assert (made.who, made.detail, made.scope) == (
        "健康日記",
        "Through the FHIR API: Condition",
        "patient/Condition.read",
    )
    assert row(read).who == "Third-party app"  # an app no longer listed


def test_staff_are_shown_by_role_and_a_common_reason_in_the_readers_language():
    read = event(
        Actor.STAFF,
        5,
        page="staff:records.visit",
        view="change",
        reason="民眾向健保署洽詢（服務專線或臨櫃）",
        reason_code="inquiry",
        role="櫃檯服務",
    )
    made = row(read)
    assert made.who == "NHIA staff (櫃檯服務)"
    assert made.reason == "The person asked NHIA for help (service line or counter)"
    assert made.detail == "NHIA staff pages: visits"
    assert made.scope == ""


def test_a_typed_reason_is_shown_as_typed_and_a_search_says_so():
    read = event(
        Actor.STAFF,
        5,
        page="staff:people.person",
        view="search",
        reason="法院來函調閱",
        reason_code="other",
        role="",
    )
    made = row(read)
    assert (made.who, made.reason) == ("NHIA staff", "法院來函調閱")
    assert made.detail == "NHIA staff pages: a search in people"


def test_a_staff_file_read_of_an_application_carries_the_reason():
    read = AuditEvent(
        at=AT,
        action=Action.APPLICATION_FILE_READ,
        actor=Actor.STAFF,
        actor_id=5,
        detail={"reason": "x", "reason_code": "application", "role": "審核"},
    )
    made = row(read)
    assert (made.reader, made.who) == ("NHIA staff", "NHIA staff (審核)")
    assert made.reason == "Reviewing an application the person made"


def test_only_staff_have_a_reason_and_only_apps_a_scope():
    made = row(event(Actor.PERSON, SUBJECT, reason="forged", scope="forged", page="x"))
    assert (made.reason, made.scope) == ("", "")
