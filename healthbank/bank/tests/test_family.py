"""Family access in the portal (家人健康存摺): the owner (陳志明), the family member granted
his laboratory results (his wife), and an outsider (吳怡君)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.bank import grants
from healthbank.bank.presenters.masking import masked_name
from healthbank.identity import delegation
from healthbank.identity.models import Delegation
from healthbank.identity.tests.family import family_access
from healthbank.people.models import Person
from healthbank.records.models import Visit
from tests.fixtures.personas import CHEN, CHEN_WIFE, PASSWORD, WU

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


@pytest.fixture
def three(client, sign_in, outsider):
    """(owner's client, owner, wife's client, wife, outsider's client) with labs granted."""
    owner = sign_in(client, CHEN)
    wife_client = Client()
    wife = sign_in(wife_client, CHEN_WIFE)
    row = family_access(owner, wife, ["labs"])
    return client, owner, wife_client, wife, outsider, row


def _expire(row: Delegation) -> None:
    now = timezone.now()
    Delegation.objects.filter(pk=row.pk).update(
        starts_at=now - dt.timedelta(days=31), expires_at=now - dt.timedelta(seconds=1)
    )


def _switch(client, person):
    return client.post(reverse("bank:switch"), {"person": person.pk})


def test_the_delegate_sees_the_granted_labs_and_nothing_else(three):
    _client, owner, wife_client, wife, _outsider, _row = three
    assert owner.name in wife_client.get(reverse("bank:home")).content.decode()  # the switcher
    assert _switch(wife_client, owner).status_code == 302

    page = wife_client.get(reverse("bank:home")).content.decode()
    assert "家人授權" in page or owner.name in page
    for name in ("bank:glucose_lipids", "bank:other_labs", "bank:labs", "bank:health"):
        assert wife_client.get(reverse(name)).status_code == 200, name
    for name in ("bank:western", "bank:tcm", "bank:allergies", "bank:calendar", "bank:preventive"):
        assert wife_client.get(reverse(name)).status_code == 404, name
    visit = Visit.objects.filter(person=owner).first()
    assert wife_client.get(reverse("bank:visit", args=[visit.pk])).status_code == 404


def test_the_delegates_menu_and_hubs_show_only_what_was_granted(three):
    _client, owner, wife_client, _wife, _outsider, _row = three
    _switch(wife_client, owner)
    page = wife_client.get(reverse("bank:health")).content.decode()
    menu = page.split('class="portal-menu"')[1].split("</nav>")[0]
    assert "檢驗檢查結果" in menu and reverse("bank:labs") in menu
    for hidden in ("bank:visits", "bank:measurements", "bank:access", "downloads:home"):
        assert reverse(hidden) not in menu, hidden
    hub = page.split('class="portal-page"')[1]
    assert reverse("bank:labs") in hub and reverse("bank:visits") not in hub
    home = wife_client.get(reverse("bank:home")).content.decode()
    assert reverse("bank:other_labs") in home.split('class="portal-page"')[1]
    assert reverse("bank:western") not in home


def test_the_owners_personal_pages_are_not_the_delegates(three):
    _client, owner, wife_client, _wife, _outsider, _row = three
    _switch(wife_client, owner)
    for name in ("bank:access", "bank:readers", "bank:readers_csv", "bank:apps", "downloads:list"):
        assert wife_client.get(reverse(name)).status_code == 404, name


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_family_access_is_read_only_with_a_clear_reason(three, language):
    _client, owner, wife_client, _wife, _outsider, _row = three
    wife_client.cookies["django_language"] = language
    _switch(wife_client, owner)
    now = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    before = owner.measurements.count()
    refused = [
        wife_client.post(
            reverse("bank:measurements"),
            {"measured_at": now.strftime("%Y-%m-%d %H:%M"), "height": "170", "weight": "70"},
        ),
        wife_client.get(reverse("bank:event_new")),
        wife_client.get(reverse("downloads:home")),
        wife_client.post(reverse("downloads:home"), {"password": PASSWORD}),
    ]
    reason = "唯讀" if language == "zh-hant" else "read-only"
    for response in refused:
        assert response.status_code == 403
        assert reason in response.content.decode()
    assert owner.measurements.count() == before
    assert not AuditEvent.objects.filter(action=Action.RECORDS_CHANGED, person=owner).exists()


def test_every_read_by_the_delegate_is_in_the_owners_record_under_her_name(three):
    client, owner, wife_client, wife, _outsider, _row = three
    _switch(wife_client, owner)
    wife_client.get(reverse("bank:glucose_lipids"))
    read = AuditEvent.objects.filter(action=Action.RECORDS_READ, person=owner).latest("id")
    assert (read.actor, read.actor_id, read.detail["page"]) == (
        AuditEvent.Actor.PERSON,
        wife.pk,
        "bank:glucose_lipids",
    )
    page = client.get(reverse("bank:readers"), {"reader": "family"}).content.decode()
    assert masked_name(wife.name) in page  # other people masked, as the seed shows them
    assert masked_name(wife.name) in client.get(reverse("bank:access")).content.decode()


def test_ended_by_the_owner_the_access_is_gone_at_once(three):
    client, owner, wife_client, wife, _outsider, row = three
    _switch(wife_client, owner)
    assert wife_client.get(reverse("bank:other_labs")).status_code == 200
    assert client.post(reverse("bank:family_end", args=[row.pk])).status_code == 302

    page = wife_client.get(reverse("bank:other_labs")).content.decode()
    assert owner.name not in page  # back on her own records
    read = AuditEvent.objects.filter(action=Action.RECORDS_READ).latest("id")
    assert read.person_id == wife.pk
    assert _switch(wife_client, owner).status_code == 404
    ended = AuditEvent.objects.filter(action=Action.DELEGATION_ENDED).get()
    assert (ended.person_id, ended.actor_id, ended.detail["side"]) == (owner.pk, owner.pk, "owner")


def test_ended_by_the_delegate_too(three):
    _client, owner, wife_client, wife, _outsider, row = three
    assert wife_client.post(reverse("bank:family_end", args=[row.pk])).status_code == 302
    assert _switch(wife_client, owner).status_code == 404
    row.refresh_from_db()
    assert row.ended_by == Delegation.Side.DELEGATE


def test_after_expiry_the_owners_pages_are_404(three):
    _client, owner, wife_client, _wife, _outsider, row = three
    _switch(wife_client, owner)
    assert wife_client.get(reverse("bank:other_labs")).status_code == 200
    # The period is over (a clock moved 30 days would end the session first).
    _expire(row)
    assert wife_client.get(reverse("bank:other_labs")).status_code == 200  # her own
    read = AuditEvent.objects.filter(action=Action.RECORDS_READ).latest("id")
    assert read.person_id == _wife.pk
    assert owner.name not in wife_client.get(reverse("bank:home")).content.decode()
    assert _switch(wife_client, owner).status_code == 404


def test_an_unconfirmed_invitation_opens_nothing(client, sign_in):
    owner = sign_in(client, CHEN)
    wife_client = Client()
    wife = sign_in(wife_client, CHEN_WIFE)
    family_access(owner, wife, ["labs"], confirmed=False)
    assert _switch(wife_client, owner).status_code == 404
    assert wife.name not in client.get(reverse("bank:family")).content.decode()  # not yet


def test_the_outsider_gets_404_everywhere(three):
    _client, owner, _wife_client, _wife, outsider, row = three
    assert _switch(outsider, owner).status_code == 404
    for name in ("bank:family_end", "bank:family_renew", "bank:family_accept"):
        assert outsider.post(reverse(name, args=[row.pk]), {"days": 30}).status_code == 404
    row.refresh_from_db()
    assert row.ended_at is None


def test_the_delegate_cannot_renew_or_accept_again(three):
    _client, _owner, wife_client, _wife, _outsider, row = three
    response = wife_client.post(
        reverse("bank:family_renew", args=[row.pk]), {"days": 365, "password": PASSWORD}
    )
    assert response.status_code == 404
    assert wife_client.post(reverse("bank:family_accept", args=[row.pk])).status_code == 302
    row.refresh_from_db()
    assert row.expires_at < timezone.now() + dt.timedelta(days=31)


# --- the owner's page ----------------------------------------------------------------------


def _offer(client, person, **extra):
    data = {
        "delegate_id": person.national_id,
        "delegate_birth_date": person.birth_date.isoformat(),
        "categories": ["labs", "reports"],
        "days": 91,
        "password": PASSWORD,
        **extra,
    }
    return client.post(reverse("bank:family_offer"), data)


def test_offering_asks_the_password_again_and_never_says_whether_the_id_exists(
    client, sign_in, mailoutbox, django_capture_on_commit_callbacks
):
    owner = sign_in(client, CHEN)
    wife = sign_in(Client(), CHEN_WIFE)
    wrong = _offer(client, wife, password="Wrong#2026")
    assert wrong.status_code == 400 and not Delegation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        known = client.get(_offer(client, wife)["Location"]).content.decode()
    unknown_person = Person(national_id="A100000001", birth_date=dt.date(1970, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.get(_offer(client, unknown_person)["Location"]).content.decode()
    # Nothing is mailed while the owner waits (an invitation sent to a registered adult
    # would make that answer the slower one); the worker sends them.
    assert mailoutbox == []
    from django.core.management import call_command

    call_command("worker", "--batch", "--interval", "0.01")
    sent = "如對方為已註冊健保卡網路服務的成年人"
    assert sent in known and sent in unknown
    assert wife.name not in known  # listed once she accepts
    row = Delegation.objects.get()
    assert (row.owner, row.delegate, row.categories, row.confirmed_at) == (
        owner,
        wife,
        ["labs", "reports"],
        None,
    )
    assert dt.timedelta(days=90) < row.expires_at - timezone.now() <= dt.timedelta(days=91)
    offers = AuditEvent.objects.filter(action=Action.DELEGATION_OFFERED, person=owner)
    assert [e.success for e in offers] == [True, True]  # the access record reads alike
    # The owner is mailed both times, without the family member's name; the wife once.
    owner_mails = [m for m in mailoutbox if "A12345" not in m.body and wife.name not in m.body]
    assert len(mailoutbox) == 3 and len(owner_mails) == 2
    assert "English" in mailoutbox[0].body


def test_a_child_cannot_be_given_family_access(client, sign_in):
    from tests.fixtures.personas import LIN, LIN_DAUGHTER

    sign_in(client, LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    assert _offer(client, daughter).status_code == 302
    assert not Delegation.objects.exists()


def test_the_owner_renews_from_now_and_sees_who_can_see_what(three):
    client, _owner, _wife_client, wife, _outsider, row = three
    page = client.get(reverse("bank:family")).content.decode()
    assert wife.name in page and "檢驗(查)結果資料" in page
    _expire(row)
    before = timezone.now()
    response = client.post(
        reverse("bank:family_renew", args=[row.pk]), {"days": 365, "password": PASSWORD}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (
        before + dt.timedelta(days=365) <= row.expires_at <= timezone.now() + dt.timedelta(days=365)
    )


def test_offering_again_to_someone_who_already_can_see_is_refused(three):
    client, _owner, _wife_client, wife, _outsider, _row = three
    response = _offer(client, wife)
    assert response.status_code == 400
    assert "已可查看" in response.content.decode()


def test_the_delegate_accepts_an_invitation_on_her_page(client, sign_in, mailoutbox):
    owner = sign_in(client, CHEN)
    wife_client = Client()
    wife = sign_in(wife_client, CHEN_WIFE)
    row = family_access(owner, wife, ["labs"], confirmed=False)
    page = wife_client.get(reverse("bank:family")).content.decode()
    assert owner.name in page and reverse("bank:family_accept", args=[row.pk]) in page
    assert wife_client.post(reverse("bank:family_accept", args=[row.pk])).status_code == 302
    assert _switch(wife_client, owner).status_code == 302
    accepted = AuditEvent.objects.get(action=Action.DELEGATION_ACCEPTED)
    assert (accepted.person_id, accepted.actor_id) == (owner.pk, wife.pk)


def test_the_family_page_is_ones_own_whoever_is_open(three):
    _client, owner, wife_client, wife, _outsider, _row = three
    _switch(wife_client, owner)
    reads = AuditEvent.objects.filter(action=Action.RECORDS_READ).count()
    page = wife_client.get(reverse("bank:family")).content.decode()
    assert "您正在查看" not in page  # her own frame
    assert AuditEvent.objects.filter(action=Action.RECORDS_READ).count() == reads
    assert wife_client.get(reverse("bank:other_labs")).status_code == 200  # still his, open
    read = AuditEvent.objects.filter(action=Action.RECORDS_READ).latest("id")
    assert read.person_id == owner.pk


def test_outsiders_family_page_lists_nothing_of_others(three):
    _client, owner, _wife_client, wife, outsider, _row = three
    page = outsider.get(reverse("bank:family")).content.decode()
    assert owner.name not in page and wife.name not in page
    assert Person.objects.get(national_id=WU).name in page or "家人健康存摺" in page


# --- one place maps every portal page --------------------------------------------------------


def _names(resolver, namespace: str = "") -> set[str]:
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            names |= _names(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name and namespace in ("bank", "downloads"):
            names.add(f"{namespace}:{entry.name}")
    return names


def test_every_portal_page_is_mapped_to_its_categories_or_closed_to_family():
    session = {"bank:session", "bank:keepalive", "bank:switch"}  # no records, not portal pages
    mapped = set(grants.PAGES) | grants.WRITES | grants.OWNER_ONLY | grants.VIEWERS_OWN
    unmapped = _names(get_resolver()) - mapped - session
    assert not unmapped, "map these in bank/grants.py"
    from healthbank.records.categories import BY_CODE

    assert all(code in BY_CODE for codes in grants.PAGES.values() for code in codes)


def test_the_services_refuse_what_the_forms_let_through(three):
    _client, owner, _wife_client, wife, _outsider, row = three
    with pytest.raises(delegation.DelegationRefused):
        delegation.renew(owner=owner, pk=row.pk, days=400)
    with pytest.raises(Delegation.DoesNotExist):
        delegation.renew(owner=wife, pk=row.pk, days=30)


def test_the_family_page_reads_a_fixed_number_of_queries(client, sign_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.fixtures.personas import CHANG, HUANG, LEE

    owner = sign_in(client, CHEN)
    counts = []
    for national_id in (CHEN_WIFE, HUANG, LEE, CHANG):
        family_access(owner, Person.objects.get(national_id=national_id), ["labs"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("bank:family")).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts


# --- found in review --------------------------------------------------------------------------


def test_while_nhia_suspends_the_owners_account_the_family_sees_nothing(three):
    """A suspended account is one NHIA stopped (misuse, a compromised password, the person's
    own request): family access it gave counts only once it is reinstated."""
    from healthbank.identity.services import reinstate, suspend

    _client, owner, wife_client, wife, _outsider, _row = three
    _switch(wife_client, owner)
    assert wife_client.get(reverse("bank:other_labs")).status_code == 200
    suspend(account=owner.account, reason="stolen password", staff_id=None)

    assert wife_client.get(reverse("bank:other_labs")).status_code == 200  # her own now
    read = AuditEvent.objects.filter(action=Action.RECORDS_READ).latest("id")
    assert read.person_id == wife.pk
    assert owner.name not in wife_client.get(reverse("bank:home")).content.decode()
    assert _switch(wife_client, owner).status_code == 404

    reinstate(account=owner.account, staff_id=None)
    assert _switch(wife_client, owner).status_code == 302
