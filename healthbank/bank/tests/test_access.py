"""存取紀錄: the viewed person's audit trail, newest first, a month or every month kept, in
pages; who did what from where, others masked; nobody else's record by any address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from healthbank.audit import partitions
from healthbank.audit.models import AuditEvent
from healthbank.audit.services import Action, Actor, record
from healthbank.bank.portal import SUBJECT_KEY
from healthbank.bank.presenters.masking import masked_address
from healthbank.people.models import Person
from healthbank.records.models import Provider
from tests.fixtures.personas import CHEN, CHEN_WIFE, LIN, LIN_DAUGHTER, WU

pytestmark = pytest.mark.django_db

URL = reverse("bank:access")


def english(client):
    client.cookies["django_language"] = "en"
    return client


def page(client, query: str = "") -> str:
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def rows_of(client, query: str = "") -> list:
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.context["rows"]


def _noon(months_back: int) -> dt.datetime:
    """Noon on the 15th of the month that many months before this one (Asia/Taipei)."""
    start = partitions.add_months(partitions.month_start(dt.datetime.now(dt.UTC)), -months_back)
    return start.replace(day=15, hour=12)


def test_the_persons_own_events_with_their_labels_masked_and_no_one_elses(client, sign_in):
    chen = sign_in(english(client), CHEN)
    wife = Person.objects.get(national_id=CHEN_WIFE)
    wu = Person.objects.get(national_id=WU)
    provider = Provider.objects.exclude(kind=Provider.Kind.AGENCY).order_by("pk").first()
    record(action=Action.LOGIN, person=chen, method="card", address="203.0.113.45")
    record(action=Action.LOGIN_FAILED, person=chen, method="password", address="198.51.100.7")
    record(action=Action.RECORDS_READ, person=chen, actor_id=chen.pk, page="western")
    record(action=Action.RECORDS_READ, person=chen, actor_id=chen.pk, page="download")
    record(action=Action.RECORDS_READ, person=chen, actor_id=chen.pk, page="app:outpatient")
    record(action=Action.VCARD_QR_ISSUED, person=chen, actor_id=wife.pk, address="2001:db8:1:2::9")
    record(action=Action.VCARD_VERIFIED, person=chen, actor=Actor.PROVIDER, actor_id=provider.pk)
    record(action=Action.SUSPENDED, person=chen, actor=Actor.STAFF, actor_id=1)
    record(action=Action.LOGIN, person=wu, method="password", address="192.0.2.99")

    html = page(client)

    for label in (
        "Signed in",
        "NHI card",
        "Sign-in failed",
        "Not confirmed (sign-in failed)",
        "Health records viewed",
        "Western-medicine outpatient",
        "Record package downloaded",
        "In the NHI Express app",
        "Virtual NHI card QR code shown",
        "陳○○英",  # the wife who showed his card, masked
        "Virtual NHI card read by a provider",
        provider.name,
        "Online services suspended by NHIA",
        "NHIA staff",
        "You",
        "203.0.113.*",
        "198.51.100.*",
        "2001:db8:1:2:*",
    ):
        assert label in html, label
    for hidden in (
        "203.0.113.45",
        "198.51.100.7",
        "2001:db8:1:2::9",
        "陳林秀英",
        "192.0.2.",
        wu.name,
    ):
        assert hidden not in html, hidden
    events = rows_of(client)
    assert [r.when_iso for r in events] == sorted((r.when_iso for r in events), reverse=True)


def test_each_page_read_is_named_by_its_own_page_even_where_url_names_repeat(client, sign_in):
    """The download service's page and the portal's home are both called `home` in their
    apps; the access record tells them apart (reads are recorded by namespaced name)."""
    chen = sign_in(english(client), CHEN)
    client.get(reverse("downloads:home"))
    client.get(reverse("bank:home"))
    record(action=Action.RECORDS_READ, person=chen, actor_id=chen.pk, page="home")  # an old row

    details = [row.detail for row in rows_of(client)][:3]  # newest first

    assert details == ["My home page", "My home page", "Download service"]


def test_chinese_labels_and_roc_dates(client, sign_in):
    chen = sign_in(client, CHEN)
    event = record(action=Action.LOGIN, person=chen, method="password", address="203.0.113.45")
    html = page(client)
    local = event.at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert f"{local.year - 1911:03d}/{local.month:02d}/{local.day:02d} {local:%H:%M}" in html
    for label in ("存取紀錄", "登入", "一般登入", "您本人", "來源位址", "203.0.113.*"):
        assert label in html, label


def test_the_page_is_linked_from_the_personal_hub_and_its_read_is_audited(client, sign_in):
    chen = sign_in(client, CHEN)
    assert URL in client.get(reverse("bank:personal")).content.decode()
    client.get(URL)
    read = AuditEvent.objects.filter(action=Action.RECORDS_READ).latest("id")
    assert (read.person_id, read.actor_id, read.detail["page"]) == (chen.pk, chen.pk, "bank:access")
    assert "存取紀錄" in page(client)  # the read just made, named by the menu's label


def test_a_parent_sees_the_childs_record_with_her_own_reads_as_hers(client, sign_in):
    mother = sign_in(english(client), LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    record(action=Action.LOGIN, person=mother, method="password", address="203.0.113.45")
    client.post(reverse("bank:switch"), {"person": daughter.pk})
    client.get(reverse("bank:cards"))  # audited on the daughter, by the mother
    record(action=Action.VCARD_QR_ISSUED, person=daughter, actor_id=daughter.pk)

    events = rows_of(client)
    assert {(r.what, r.detail, r.who) for r in events} >= {
        ("Health records viewed", "NHI card and issuance records", "You"),
        ("Virtual NHI card QR code shown", "", "王○妤"),
    }
    assert "203.0.113.*" not in page(client)  # the mother's own sign-in is on her record

    client.post(reverse("bank:switch"), {"person": mother.pk})
    own = rows_of(client)
    assert ("Signed in", "General sign-in", "You") in {(r.what, r.detail, r.who) for r in own}
    assert "NHI card and issuance records" not in {r.detail for r in own}


# --- Nobody else's record ------------------------------------------------------------------


def test_another_persons_record_is_404_by_any_address(client, sign_in, outsider):
    chen = sign_in(client, CHEN)
    record(action=Action.LOGIN, person=chen, method="password", address="203.0.113.45")
    assert outsider.get(URL, {"person": chen.pk}).status_code == 404
    assert outsider.get(URL, {"person": "nonsense"}).status_code == 404
    assert outsider.get(f"{URL}{chen.pk}/").status_code == 404
    html = outsider.get(URL).content.decode()
    assert "203.0.113.*" not in html
    assert client.get(URL, {"person": chen.pk}).status_code == 200  # one's own, named


def test_a_childs_record_is_404_to_anyone_but_her_parent(client, sign_in):
    chen = sign_in(client, CHEN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    record(action=Action.VCARD_QR_ISSUED, person=daughter, address="203.0.113.45")
    assert client.post(reverse("bank:switch"), {"person": daughter.pk}).status_code == 404
    assert client.get(URL, {"person": daughter.pk}).status_code == 404
    session = client.session  # a session that names her anyway opens one's own record
    session[SUBJECT_KEY] = daughter.pk
    session.save()
    response = client.get(URL)
    assert response.status_code == 200
    assert "203.0.113.*" not in response.content.decode()
    assert response.context["portal"].subject == chen


def test_a_parent_naming_the_child_while_viewing_herself_is_404(client, sign_in):
    sign_in(client, LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    assert client.get(URL, {"person": daughter.pk}).status_code == 404
    client.post(reverse("bank:switch"), {"person": daughter.pk})
    assert client.get(URL, {"person": daughter.pk}).status_code == 200


def test_staff_users_have_no_access_record_page(client, personas):
    client.force_login(get_user_model().objects.create_user("staff3", is_staff=True))
    assert client.get(URL).status_code == 404


# --- Pages and months ----------------------------------------------------------------------


def test_pages_of_fifty_newest_first_with_a_next_link_and_no_count(client, sign_in):
    wu = sign_in(english(client), WU)
    for n in range(120 - AuditEvent.objects.filter(person=wu).count()):  # and registration's
        record(action=Action.RECORDS_READ, person=wu, actor_id=wu.pk, page="home", n=n)

    first = client.get(URL)
    assert len(first.context["rows"]) == 50
    html = first.content.decode()
    assert 'href="?page=2"' in html and 'rel="prev"' not in html
    assert "Page 1" in html and "Page 1 of" not in html
    second = rows_of(client, "?page=2")
    third = client.get(URL, {"page": 3})
    assert (
        len(second) == 50 and len(third.context["rows"]) == 20 + 2
    )  # and the reads of pages 1 and 2
    assert 'rel="next"' not in third.content.decode()
    assert first.context["rows"][-1].when_iso >= second[0].when_iso

    for bad in ("abc", "0", "-1", "99999999999999999999"):
        assert len(rows_of(client, f"?page={bad}")) == 50, bad
    beyond = page(client, "?page=9")
    assert "There are no more events." in beyond and 'href="?page=1"' in beyond
    assert 'rel="prev"' not in beyond


def test_the_month_picker_offers_the_kept_months_and_shows_one(client, sign_in, clock, settings):
    wu = sign_in(english(client), WU)
    now = clock.now
    clock.to(_noon(2))
    record(action=Action.LOGIN, person=wu, method="password", address="203.0.113.45")
    clock.to(now)
    record(action=Action.LOGIN, person=wu, method="card", address="198.51.100.7")

    response = client.get(URL)
    months = response.context["months"]
    assert len(months) == settings.AUDIT_RETENTION_MONTHS + 1
    assert months[0][0] == f"{_noon(0):%Y-%m}"
    assert months[-1][0] == f"{_noon(settings.AUDIT_RETENTION_MONTHS):%Y-%m}"

    html = page(client, f"?month={_noon(2):%Y-%m}")
    assert "203.0.113.*" in html and "198.51.100.*" not in html
    assert f'<option value="{_noon(2):%Y-%m}" selected>' in html
    assert f"Events of {_noon(2):%Y-%m}, newest first" in html
    everything = page(client)
    assert "203.0.113.*" in everything and "198.51.100.*" in everything


def test_month_pages_keep_the_month(client, sign_in, clock):
    wu = sign_in(client, WU)
    now = clock.now
    clock.to(_noon(1))
    for _ in range(51):
        record(action=Action.RECORDS_READ, person=wu, actor_id=wu.pk, page="home")
    clock.to(now)
    month = f"{_noon(1):%Y-%m}"
    html = page(client, f"?month={month}")
    assert f'href="?month={month}&amp;page=2"' in html
    assert len(rows_of(client, f"?month={month}&page=2")) == 1


@pytest.mark.parametrize(
    "month", ["1999-01", "2026-13", "abc", "2026-1", "9999-99", "<script>", "2026-11-01"]
)
def test_a_month_not_kept_says_so_in_both_languages_and_shows_every_month(client, sign_in, month):
    wu = sign_in(client, WU)
    record(action=Action.LOGIN, person=wu, method="password", address="203.0.113.45")
    html = page(client, f"?month={month}")
    assert "無法查詢該月份" in html and "203.0.113.*" in html
    html = page(english(client), f"?month={month}")
    assert "That month cannot be shown" in html and "203.0.113.*" in html


def test_a_month_past_retention_is_refused(client, sign_in, settings):
    sign_in(english(client), WU)
    old = f"{_noon(settings.AUDIT_RETENTION_MONTHS + 1):%Y-%m}"
    assert "That month cannot be shown" in page(client, f"?month={old}")


def test_the_page_uses_a_bounded_number_of_queries(client, sign_in, django_assert_max_num_queries):
    chen = sign_in(client, CHEN)
    wife = Person.objects.get(national_id=CHEN_WIFE)
    providers = Provider.objects.exclude(kind=Provider.Kind.AGENCY).order_by("pk")[:5]
    for provider in providers:
        record(
            action=Action.VCARD_VERIFIED, person=chen, actor=Actor.PROVIDER, actor_id=provider.pk
        )
        record(action=Action.VCARD_QR_ISSUED, person=chen, actor_id=wife.pk)
    with django_assert_max_num_queries(12):  # the portal frame's 8, the page's 1 and names
        client.get(URL)


# --- Addresses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("203.0.113.45", "203.0.113.*"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2:*"),
        ("2001:0db8:0000:0002::1", "2001:db8:0:2:*"),
        ("::ffff:198.51.100.7", "198.51.100.*"),
        (None, "—"),
        ("", "—"),
        ("not an address", "—"),
    ],
)
def test_addresses_are_shown_without_their_host_part(address, shown):
    assert masked_address(address) == shown
