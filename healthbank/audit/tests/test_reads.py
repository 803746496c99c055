"""Who read a person's data (查詢紀錄) as audit's selectors read it: only reads, only the
person's, filtered by the kind of reader, a page at a time without a count, the names of
readers in one query per kind, and every read once for the export however the times fall."""

from __future__ import annotations

import pytest

from healthbank.audit.selectors import READERS, reader_filters, reads_in_pieces, reads_page
from healthbank.audit.services import Action, Actor, record
from healthbank.people.identifiers import check_digit
from healthbank.people.models import Person, Sex
from healthbank.records.tests.factories import ProviderFactory


@pytest.fixture
def person(db) -> Person:
    first = "A20000004"
    return Person.objects.create(
        national_id=first + check_digit(first),
        name="王小明",
        sex=Sex.FEMALE,
        birth_date="2016-02-03",
    )


@pytest.fixture
def parent(db) -> Person:
    first = "B20000004"
    return Person.objects.create(
        national_id=first + check_digit(first), name="林大同", sex=Sex.MALE, birth_date="1980-01-01"
    )


@pytest.fixture
def reads(person, parent) -> dict[str, object]:
    """One read by each kind of reader, and events that are not reads."""
    provider = ProviderFactory(name="測試診所")
    made = {
        "own": record(action=Action.RECORDS_READ, person=person, actor_id=person.pk, page="x"),
        "family": record(action=Action.RECORDS_READ, person=person, actor_id=parent.pk, page="x"),
        "apps": record(
            action=Action.RECORDS_READ,
            person=person,
            actor=Actor.APP,
            actor_id=7,
            resource="Observation",
            scope="patient/Observation.read",
            page="fhir:Observation",
        ),
        "providers": record(
            action=Action.VCARD_VERIFIED, person=person, actor=Actor.PROVIDER, actor_id=provider.pk
        ),
        "staff": record(
            action=Action.RECORDS_READ,
            person=person,
            actor=Actor.STAFF,
            actor_id=1,
            reason="x",
            role="r",
            page="staff:people.person",
        ),
    }
    record(action=Action.LOGIN, person=person, actor_id=person.pk, method="password")
    record(action=Action.RECORDS_CHANGED, person=person, actor_id=person.pk, page="x")
    record(action=Action.SUSPENDED, person=person, actor=Actor.STAFF, actor_id=1)
    record(action=Action.RECORDS_READ, person=parent, actor_id=parent.pk, page="x")  # his own
    return made


def test_the_reads_are_the_persons_reads_only_newest_first(person, reads):
    found = reads_page(person)
    assert found.events == list(reversed(list(reads.values())))
    assert not found.has_next


def test_an_old_read_without_a_reader_is_the_persons_own(person, reads):
    old = record(action=Action.RECORDS_READ, person=person, page="x")  # actor_id not kept
    assert old in reads_page(person, reader="own").events


@pytest.mark.parametrize("reader", READERS)
def test_each_kind_of_reader_filters_its_own_reads(person, reads, reader):
    assert reads_page(person, reader=reader).events == [reads[reader]]


def test_the_filters_are_the_readers_listed(person):
    assert tuple(reader_filters(person)) == READERS


def test_a_page_says_whether_another_follows_without_counting(person, django_assert_num_queries):
    for n in range(7):
        record(action=Action.RECORDS_READ, person=person, actor_id=person.pk, n=n)
    with django_assert_num_queries(1):  # the person's own reads: no names to look up
        first = reads_page(person, reader="own", size=3)
    assert [e.detail["n"] for e in first.events] == [6, 5, 4]
    assert first.has_next
    last = reads_page(person, reader="own", number=3, size=3)
    assert [e.detail["n"] for e in last.events] == [0]
    assert not last.has_next


def test_readers_are_named_in_one_query_per_kind(person, parent, reads, django_assert_num_queries):
    with django_assert_num_queries(3):  # the reads, the people, the providers
        found = reads_page(person)
    assert found.people == {parent.pk: "林大同"}
    assert list(found.providers.values()) == ["測試診所"]
    assert found.app_ids == {7}


def test_the_export_reads_every_read_once_even_where_times_are_the_same(person, clock):
    for n in range(11):  # one moment for all: pieces must part on the id as well
        record(action=Action.RECORDS_READ, person=person, actor_id=person.pk, n=n)

    pieces = list(reads_in_pieces(person, size=4))

    assert [len(piece.events) for piece in pieces] == [4, 4, 3]
    assert [e.detail["n"] for piece in pieces for e in piece.events] == list(range(10, -1, -1))
    assert [piece.number for piece in pieces] == [1, 2, 3]


def test_the_export_of_one_kind_of_reader(person, reads):
    [piece] = reads_in_pieces(person, reader="staff")
    assert piece.events == [reads["staff"]]
