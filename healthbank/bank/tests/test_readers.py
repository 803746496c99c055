"""查詢紀錄 (Who read my data): every read of the person's records, newest first, by kind of
reader, a page at a time, and as CSV; a parent sees the child's; nobody sees anyone else's.
And end to end: NHIA staff who open the person's data at /staff/ are shown by role and
reason."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from oauth2_provider.models import get_application_model

from healthbank.audit.models import AuditEvent
from healthbank.audit.services import Action, Actor, record
from healthbank.fhir.models import Listing
from healthbank.people.models import Person
from healthbank.records.models import Provider
from tests.fixtures.personas import CHEN, CHEN_WIFE, LIN, LIN_DAUGHTER
from tests.fixtures.portal import give_reason

FAMILY = "Family (a parent, or someone you gave family access)"  # the reader label
pytestmark = pytest.mark.django_db

URL = reverse("bank:readers")
CSV_URL = reverse("bank:readers_csv")


def english(client):
    client.cookies["django_language"] = "en"
    return client


def rows_of(client, query: str = "") -> list:
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.context["rows"]


def csv_of(client, query: str = "") -> list[list[str]]:
    response = client.get(CSV_URL + query)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def app_listing(name: str = "健康日記") -> Listing:
    developer = User.objects.create_user(f"dev-{name}", password=None)
    application = get_application_model().objects.create(
        name=name,
        user=developer,
        client_type="public",
        authorization_grant_type="authorization-code",
        redirect_uris="https://app.example/callback",
    )
    return Listing.objects.create(
        application=application,
        developer=developer,
        publisher="Example Ltd.",
        privacy_policy="https://app.example/privacy",
        description="A diary.",
        environment=Listing.Environment.PRODUCTION,
        status=Listing.Status.APPROVED,
    )


def app_read(person: Person, listing: Listing, resource: str = "Observation") -> AuditEvent:
    """As the FHIR API records an app's read (issue 25)."""
    return record(
        action=Action.RECORDS_READ,
        person=person,
        actor=Actor.APP,
        actor_id=listing.pk,
        resource=resource,
        scope=f"patient/{resource}.read",
        page=f"fhir:{resource}",
    )


def staff_read(person: Person, reason: str, code: str = "other", role: str = "櫃檯服務"):
    return record(
        action=Action.RECORDS_READ,
        person=person,
        actor=Actor.STAFF,
        actor_id=1,
        page="staff:records.visit",
        view="change",
        reason=reason,
        reason_code=code,
        role=role,
    )


@pytest.fixture
def every_reader(sign_in, client):
    """陳志明 signed in (English), one read by each kind of reader and a sign-in."""
    chen = sign_in(english(client), CHEN)
    wife = Person.objects.get(national_id=CHEN_WIFE)
    provider = Provider.objects.exclude(kind=Provider.Kind.AGENCY).order_by("pk").first()
    record(action=Action.LOGIN, person=chen, method="card", address="203.0.113.45")
    record(action=Action.RECORDS_READ, person=chen, actor_id=chen.pk, page="bank:western")
    record(action=Action.RECORDS_READ, person=chen, actor_id=chen.pk, page="app:outpatient")
    record(action=Action.RECORDS_READ, person=chen, actor_id=wife.pk, page="bank:cards")
    app_read(chen, app_listing())
    record(action=Action.VCARD_VERIFIED, person=chen, actor=Actor.PROVIDER, actor_id=provider.pk)
    staff_read(chen, "The person asked NHIA for help", code="inquiry")
    return chen, wife, provider


# --- what the page says ---------------------------------------------------------------------


def test_each_read_says_who_read_what_and_sign_ins_are_not_reads(client, every_reader):
    chen, wife, provider = every_reader

    rows = rows_of(client)

    seen = {(r.reader, r.who, r.detail, r.scope, r.reason) for r in rows}
    assert {
        ("NHIA staff", "NHIA staff (櫃檯服務)", "NHIA staff pages: visits", "",
         "The person asked NHIA for help (service line or counter)"),
        ("Clinics, with the virtual NHI card", provider.name, "", "", ""),
        ("Third-party apps", "健康日記", "Through the FHIR API: Observation",
         "patient/Observation.read", ""),
        (FAMILY, "陳○○英", "NHI card and issuance records", "", ""),
        ("Own sessions (website and app)", "You", "In the NHI Express app", "", ""),
        ("Own sessions (website and app)", "You", "Western-medicine outpatient", "", ""),
    } <= seen  # fmt: skip
    assert "Signed in" not in {r.what for r in rows}
    html = client.get(URL).content.decode()
    for shown in ("Who read my data", "Allowed: patient/Observation.read", "Reason: The person"):
        assert shown in html, shown
    assert wife.name not in html and wife.national_id not in html


def test_the_page_is_in_the_personal_menu_and_in_chinese(client, sign_in):
    chen = sign_in(client, CHEN)
    staff_read(chen, "法院來函調閱")
    assert URL in client.get(reverse("bank:personal")).content.decode()
    html = client.get(URL).content.decode()
    for label in ("查詢紀錄", "健保署人員（櫃檯服務）", "原因：法院來函調閱", "查閱者："):
        assert label in html, label


def test_reads_are_filtered_by_the_kind_of_reader(client, every_reader):
    for reader, kind in (
        ("apps", "Third-party apps"),
        ("staff", "NHIA staff"),
        ("providers", "Clinics, with the virtual NHI card"),
        ("family", FAMILY),
    ):
        assert {r.reader for r in rows_of(client, f"?who={reader}")} == {kind}
    own = rows_of(client, "?who=own")
    assert {r.who for r in own} == {"You"} and len(own) >= 2


def test_an_unknown_kind_of_reader_says_so_and_shows_every_read(client, every_reader):
    response = client.get(URL, {"who": "neighbours"})
    assert "That kind of reader cannot be shown" in response.content.decode()
    assert len({r.reader for r in response.context["rows"]}) == 5


def test_pages_of_fifty_keep_the_filter_and_never_count(client, sign_in):
    chen = sign_in(english(client), CHEN)
    listing = app_listing()
    for _ in range(120):
        app_read(chen, listing)

    first = client.get(URL, {"who": "apps"})
    third = client.get(URL, {"who": "apps", "page": "3"})
    past = client.get(URL, {"who": "apps", "page": "4"})

    assert len(first.context["rows"]) == 50
    assert first.context["next_link"] == "?who=apps&page=2"
    assert first.context["csv_link"] == "?who=apps"
    assert len(third.context["rows"]) == 20 and not third.context["next_link"]
    assert third.context["previous_link"] == "?who=apps&page=2"
    assert "There are no more reads." in past.content.decode()


def test_the_page_takes_a_bounded_number_of_queries(
    client, every_reader, django_assert_max_num_queries
):
    chen = every_reader[0]
    for n in range(5):
        app_read(chen, app_listing(f"App {n}"))
    # The portal frame's 8, the reads, people, providers and apps, and the read's audit row.
    with django_assert_max_num_queries(13):
        client.get(URL)


# --- the CSV file ---------------------------------------------------------------------------


def test_the_csv_has_the_readers_language_masked_names_and_no_national_id(
    client, every_reader, personas
):
    chen, wife, provider = every_reader

    response = client.get(CSV_URL)
    lines = csv_of(client)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert lines[0] == [
        "Time",
        "Kind of reader",
        "Reader",
        "What",
        "Data read",
        "App's permission (scope)",
        "Staff's reason",
        "From (network address)",
    ]
    readers = {(line[1], line[2]) for line in lines[1:]}
    assert (FAMILY, "陳○○英") in readers
    assert ("Third-party apps", "健康日記") in readers
    assert ("NHIA staff", "NHIA staff (櫃檯服務)") in readers
    content = "\n".join(",".join(line) for line in lines)
    for person in Person.objects.all():
        assert person.national_id not in content
    assert wife.name not in content


def test_the_csv_is_in_chinese_by_default_and_keeps_the_filter(client, sign_in):
    chen = sign_in(client, CHEN)
    staff_read(chen, "法院來函調閱")
    app_read(chen, app_listing())

    lines = csv_of(client, "?who=staff")

    assert lines[0][:3] == ["時間", "查閱者類別", "查閱者"]
    assert [line[1] for line in lines[1:]] == ["健保署人員"]
    assert lines[1][6] == "法院來函調閱"


def test_a_cell_a_spreadsheet_would_run_is_neutralised(client, sign_in):
    chen = sign_in(english(client), CHEN)
    staff_read(chen, '=HYPERLINK("https://evil.example","x")', role="@admins")
    app_read(chen, app_listing("+cmd|' /C calc'!A0"))

    lines = csv_of(client)

    cells = [cell for line in lines[1:] for cell in line]
    assert '\'=HYPERLINK("https://evil.example","x")' in cells
    assert "'+cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_saving_the_csv_is_itself_recorded_as_a_read(client, sign_in):
    chen = sign_in(english(client), CHEN)
    csv_of(client)
    read = AuditEvent.objects.filter(person=chen, action=Action.RECORDS_READ).latest("id")
    assert (read.actor_id, read.detail["page"]) == (chen.pk, "bank:readers_csv")
    assert rows_of(client, "?who=own")[0].detail == "Who read my data, saved as a CSV file"


# --- whose reads: owner, parent, outsider ---------------------------------------------------


def test_a_parent_sees_the_childs_reads_with_her_own_as_hers(client, sign_in):
    mother = sign_in(english(client), LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    client.post(reverse("bank:switch"), {"person": daughter.pk})
    client.get(reverse("bank:cards"))  # read on the daughter, by the mother
    staff_read(daughter, "Checking her enrolment")
    record(action=Action.RECORDS_READ, person=mother, actor_id=mother.pk, page="bank:wishes")

    rows = rows_of(client)
    parent = rows_of(client, "?who=family")

    assert (
        "You",
        FAMILY,
        "NHI card and issuance records",
    ) in {(r.who, r.reader, r.detail) for r in rows}
    assert "Checking her enrolment" in {r.reason for r in rows}
    assert "Organ donation and hospice wishes" not in {r.detail for r in rows}
    assert {r.who for r in parent} == {"You"}
    assert client.get(URL, {"person": daughter.pk}).status_code == 200
    assert client.get(URL, {"person": mother.pk}).status_code == 404  # not the one viewed
    exported = csv_of(client)
    assert "Checking her enrolment" in {line[6] for line in exported}

    client.post(reverse("bank:switch"), {"person": mother.pk})
    assert "Checking her enrolment" not in {r.reason for r in rows_of(client)}


def test_another_persons_reads_are_404_by_any_address(client, sign_in, outsider):
    chen = sign_in(client, CHEN)
    staff_read(chen, "法院來函調閱")
    for url in (URL, CSV_URL):
        assert outsider.get(url, {"person": chen.pk}).status_code == 404
        assert outsider.get(url, {"person": "x"}).status_code == 404
    assert "法院來函調閱" not in outsider.get(URL).content.decode()
    assert "法院來函調閱" not in b"".join(outsider.get(CSV_URL).streaming_content).decode()
    assert client.get(URL, {"person": chen.pk}).status_code == 200


def test_a_childs_reads_are_404_to_anyone_but_her_parent(client, sign_in):
    sign_in(client, CHEN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    assert client.get(URL, {"person": daughter.pk}).status_code == 404
    assert client.get(CSV_URL, {"person": daughter.pk}).status_code == 404


def test_staff_users_have_no_such_page(client, personas):
    client.force_login(User.objects.create_user("staff4", is_staff=True))
    assert client.get(URL).status_code == 404
    assert client.get(CSV_URL).status_code == 404


# --- end to end: NHIA staff at /staff/ --------------------------------------------------------


def test_staff_who_open_the_persons_data_are_shown_by_role_and_reason_not_name(
    client, sign_in, staff_login
):
    chen = sign_in(client, CHEN)
    clerk = User.objects.create_superuser("wang.counter", password=None)
    clerk.groups.add(Group.objects.create(name="櫃檯服務"))
    staff = staff_login(Client(), clerk)
    person_page = reverse("admin:people_person_change", args=[chen.pk])

    refused = staff.get(person_page)
    give_reason(staff, chen, reason="correction")
    opened = staff.get(person_page)

    assert (refused.status_code, opened.status_code) == (302, 200)
    [row] = rows_of(client, "?who=staff")
    assert row.who == "健保署人員（櫃檯服務）"
    assert row.reason == "更正或補正民眾的資料"
    assert "wang.counter" not in client.get(URL).content.decode()
