"""Staff pages for online-service accounts: counter registration (臨櫃註冊), suspension
(註冊停用) and reinstatement, the account's audit trail, and who may do any of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.forms.forms import NON_FIELD_ERRORS
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from healthbank.audit.models import AuditEvent
from healthbank.external.models import StoredMail
from healthbank.identity import services
from healthbank.identity.admin import STAFF_MESSAGES
from healthbank.identity.models import Account
from healthbank.people.identifiers import check_digit
from healthbank.people.models import Person
from tests.fixtures.personas import seed_personas
from tests.fixtures.portal import give_reason

CHEN = "A123456789"  # 陳志明, a persona
PASSWORD = "Nhi-2026ok"  # noqa: S105 (a test password)
UNKNOWN_ID = "A10000000" + check_digit("A10000000")  # passes the checksum, nobody has it


def _url(view: str, *args) -> str:
    return reverse(f"admin:identity_account_{view}", args=args)


@pytest.fixture
def personas(db) -> dict[str, Person]:
    seed_personas(today=dt.date(2026, 11, 23))
    return {person.national_id: person for person in Person.objects.all()}


@pytest.fixture
def chen(personas) -> Person:
    return personas[CHEN]


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_superuser("counter", password=None)


@pytest.fixture
def staff_client(client, staff, staff_login, chen):
    """Counter staff who said why they open 陳志明's data (identity.staff_reads)."""
    return give_reason(staff_login(client, staff), chen)


@pytest.fixture
def account(chen, staff) -> Account:
    return services.register_at_counter(
        person=chen, password=PASSWORD, email="chen@example.com", staff_id=staff.pk
    )


def _registration(**fields) -> dict[str, str]:
    return {
        "national_id": CHEN.lower(),
        "document_checked": "on",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "email": "chen@example.com",
        "mobile": "0912345678",
        "phone": "02-23456789",
        **fields,
    }


# --- counter registration ------------------------------------------------------------------


def test_counter_registration_makes_an_active_account_without_mail(
    staff_client, staff, chen, mailoutbox
):
    response = staff_client.post(_url("add"), _registration())

    account = Account.objects.select_related("user").get(person=chen)
    assert response.status_code == 302
    assert response["Location"] == _url("change", account.pk)
    assert (account.status, account.channel) == (Account.Status.ACTIVE, Account.Channel.COUNTER)
    assert account.confirmed_at is not None
    assert (account.email, account.mobile, account.phone) == (
        "chen@example.com",
        "0912345678",
        "0223456789",
    )
    assert account.user.password.startswith("argon2")
    assert account.user.check_password(PASSWORD)
    assert not account.user.is_staff
    assert mailoutbox == []
    assert not StoredMail.objects.exists()
    event = AuditEvent.objects.get(person=chen)
    assert event.action == AuditEvent.Action.REGISTRATION_COUNTER
    assert (event.actor, event.actor_id) == (AuditEvent.Actor.STAFF, staff.pk)


def test_counter_registration_page_asks_for_the_document_check(staff_client, db):
    response = staff_client.get(_url("add"))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="document_checked"' in content
    assert 'name="national_id"' in content
    assert 'name="password_again"' in content


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"national_id": UNKNOWN_ID}, "national_id", "unknown"),
        ({"national_id": "A123456788"}, "national_id", "checksum"),
        ({"national_id": "123"}, "national_id", "format"),
        ({"document_checked": ""}, "document_checked", "required"),
        ({"password": "Ab1!x", "password_again": "Ab1!x"}, "password", "min_length"),
        ({"password": "Ab1!x" * 3, "password_again": "Ab1!x" * 3}, "password", "max_length"),
        ({"password_again": PASSWORD + "x"}, "password_again", None),
        ({"password": "a123456789", "password_again": "a123456789"}, "password", None),
        ({"mobile": "0212345678"}, "mobile", "invalid"),
        ({"email": "not-an-address"}, "email", "invalid"),
    ],
    ids=[
        "unknown-id",
        "bad-checksum",
        "bad-format",
        "document-unchecked",
        "short-password",
        "long-password",
        "passwords-differ",
        "password-contains-id",
        "not-a-mobile",
        "bad-email",
    ],
)
def test_counter_registration_is_refused_with_a_field_error(
    staff_client, chen, mailoutbox, fields, field, code
):
    response = staff_client.post(_url("add"), _registration(**fields))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error(field, code) if code else form.has_error(field)
    assert not Account.objects.exists()
    assert not User.objects.filter(is_staff=False).exists()
    assert not AuditEvent.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    "status", [Account.Status.ACTIVE, Account.Status.SUSPENDED], ids=lambda s: s.value
)
def test_an_already_registered_person_gets_a_form_error(staff_client, account, status):
    Account.objects.filter(pk=account.pk).update(status=status)
    events = AuditEvent.objects.count()

    other = "Other-pw1"
    response = staff_client.post(_url("add"), _registration(password=other, password_again=other))

    assert response.status_code == 200
    errors = [str(error) for error in response.context["form"].errors[NON_FIELD_ERRORS]]
    assert errors == [str(STAFF_MESSAGES["already_registered"])]
    assert Account.objects.count() == 1
    account.user.refresh_from_db()
    assert account.user.check_password(PASSWORD)
    assert AuditEvent.objects.count() == events


def test_a_pending_online_application_is_completed_at_the_counter(staff_client, chen):
    services.apply_online(person=chen, password="Old-pw12", email="old@example.com")

    response = staff_client.post(_url("add"), _registration())

    account = Account.objects.select_related("user").get(person=chen)
    assert response.status_code == 302
    assert (account.status, account.channel) == (Account.Status.ACTIVE, Account.Channel.COUNTER)
    assert account.user.check_password(PASSWORD)
    assert not account.links.filter(used_at__isnull=True).exists()  # the e-mailed link is dead


# --- suspension and reinstatement ----------------------------------------------------------


def test_suspension_needs_a_reason(staff_client, account):
    page = staff_client.get(_url("suspend", account.pk))
    response = staff_client.post(_url("suspend", account.pk), {"reason": "  "})

    assert page.status_code == 200
    assert response.status_code == 200
    assert response.context["form"].has_error("reason", "required")
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SUSPENDED).exists()


def test_suspension_with_a_reason_stops_online_use_and_is_audited(staff_client, staff, account):
    response = staff_client.post(
        _url("suspend", account.pk), {"reason": "本人申請註冊停用 (requested by the person)"}
    )

    assert response.status_code == 302
    assert response["Location"] == _url("change", account.pk)
    account.refresh_from_db()
    assert account.status == Account.Status.SUSPENDED
    assert account.suspension_reason == "本人申請註冊停用 (requested by the person)"
    event = AuditEvent.objects.get(action=AuditEvent.Action.SUSPENDED)
    assert event.person_id == account.person_id
    assert (event.actor, event.actor_id) == (AuditEvent.Actor.STAFF, staff.pk)
    assert event.detail == {"reason": "本人申請註冊停用 (requested by the person)"}
    with pytest.raises(services.IdentityError) as refused:
        services.sign_in(
            method="password", national_id=CHEN, card_number="000090000001", password=PASSWORD
        )
    assert refused.value.code == "suspended"


def test_reinstatement_makes_the_account_active_again(staff_client, staff, account):
    services.suspend(account=account, reason="lost card", staff_id=staff.pk)

    page = staff_client.get(_url("reinstate", account.pk))
    response = staff_client.post(_url("reinstate", account.pk))

    assert page.status_code == 200
    assert "lost card" in page.content.decode()
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.status, account.suspension_reason) == (Account.Status.ACTIVE, "")
    event = AuditEvent.objects.get(action=AuditEvent.Action.REINSTATED)
    assert (event.person_id, event.actor_id) == (account.person_id, staff.pk)


def test_only_an_active_account_is_suspended_and_only_a_suspended_one_reinstated(
    staff_client, account
):
    reinstate = staff_client.post(_url("reinstate", account.pk))
    Account.objects.filter(pk=account.pk).update(status=Account.Status.PENDING)
    suspend = staff_client.post(_url("suspend", account.pk), {"reason": "test"})

    assert (reinstate.status_code, suspend.status_code) == (302, 302)
    account.refresh_from_db()
    assert account.status == Account.Status.PENDING
    assert not AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.SUSPENDED, AuditEvent.Action.REINSTATED]
    ).exists()


def test_change_page_offers_the_button_that_fits_the_status(staff_client, staff, account):
    active = staff_client.get(_url("change", account.pk)).content.decode()
    services.suspend(account=account, reason="lost card", staff_id=staff.pk)
    suspended = staff_client.get(_url("change", account.pk)).content.decode()

    assert _url("suspend", account.pk) in active
    assert _url("reinstate", account.pk) not in active
    assert _url("reinstate", account.pk) in suspended
    assert _url("suspend", account.pk) not in suspended


# --- the change page -----------------------------------------------------------------------


def test_change_page_edits_contact_data_only_and_never_shows_the_password(
    staff_client, staff, account
):
    page = staff_client.get(_url("change", account.pk))
    response = staff_client.post(
        _url("change", account.pk),
        {
            "email": "new@example.com",
            "backup_email": "",
            "mobile": "0987654321",
            "phone": "",
            "status": "pending",
            "channel": "online",
            "failed_logins": "9",
        },
    )

    content = page.content.decode()
    assert page.status_code == 200
    assert account.user.password not in content
    assert 'name="password' not in content
    assert 'name="status"' not in content
    assert CHEN not in content and account.person.masked_id in content
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.email, account.mobile) == ("new@example.com", "0987654321")
    assert (account.status, account.channel) == (Account.Status.ACTIVE, Account.Channel.COUNTER)
    assert account.failed_logins == 0
    event = AuditEvent.objects.get(action=AuditEvent.Action.ACCOUNT_UPDATED)
    assert (event.actor, event.actor_id) == (AuditEvent.Actor.STAFF, staff.pk)
    assert sorted(event.detail["fields"]) == ["email", "mobile"]


def test_change_page_refuses_a_mobile_number_that_is_not_one(staff_client, account):
    response = staff_client.post(
        _url("change", account.pk),
        {"email": account.email, "backup_email": "", "mobile": "12345", "phone": ""},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("mobile")


def test_change_page_shows_the_newest_audit_events_of_the_person(staff_client, staff, account):
    for _ in range(55):
        AuditEvent.objects.create(
            person=account.person, action=AuditEvent.Action.LOGIN, actor="person"
        )
    AuditEvent.objects.create(person=None, action=AuditEvent.Action.LOGIN_FAILED, actor="person")

    response = staff_client.get(_url("change", account.pk))

    events = list(response.context["audit_events"])
    assert len(events) == 50
    assert {event.person_id for event in events} == {account.person_id}
    assert events[0].pk == AuditEvent.objects.filter(person=account.person).latest("pk").pk
    link = response.context["audit_url"]
    assert link in response.content.decode().replace("&amp;", "&")
    listed = staff_client.get(link)
    assert listed.status_code == 200
    assert {event.person_id for event in listed.context["cl"].result_list} == {account.person_id}


def test_change_page_queries_stay_constant_as_events_grow(staff_client, account):
    url = _url("change", account.pk)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    for _ in range(20):
        AuditEvent.objects.create(person=account.person, action="login", actor="person")

    with CaptureQueriesContext(connection) as many:
        staff_client.get(url)

    assert len(many) == len(few)


# --- the list ------------------------------------------------------------------------------


def test_list_finds_accounts_by_national_id_in_any_case_and_by_name(
    staff_client, staff, personas, account
):
    other = personas["F223456786"]
    services.register_at_counter(person=other, password=PASSWORD, staff_id=staff.pk)
    give_reason(staff_client)  # a search's reason (identity.staff_reads)

    by_id = staff_client.get(_url("changelist"), {"q": CHEN.lower()})
    by_name = staff_client.get(_url("changelist"), {"q": "陳志明"})
    by_status = staff_client.get(_url("changelist"), {"status__exact": "suspended"})

    assert list(by_id.context["cl"].result_list) == [account]
    assert list(by_name.context["cl"].result_list) == [account]
    assert list(by_status.context["cl"].result_list) == []
    content = by_id.content.decode()
    assert account.person.masked_id in content
    assert CHEN not in content


def test_list_queries_stay_constant_as_accounts_grow(
    staff_client, staff, personas, account, django_assert_max_num_queries
):
    url = _url("changelist")
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(url).status_code == 200
    for person in personas.values():
        if person.national_id != CHEN:
            Account.objects.create(
                person=person,
                user=User.objects.create_user(f"person-{person.pk}"),
                status=Account.Status.ACTIVE,
                channel=Account.Channel.ONLINE,
            )

    with django_assert_max_num_queries(len(few)):
        response = staff_client.get(url)

    assert len(response.context["cl"].result_list) == len(personas)


def test_accounts_cannot_be_deleted(staff_client, account):
    delete = staff_client.post(_url("delete", account.pk), {"post": "yes"})
    bulk = staff_client.post(
        _url("changelist"),
        {"action": "delete_selected", "_selected_action": [account.pk], "post": "yes"},
    )

    assert delete.status_code == 403
    assert bulk.status_code in {200, 302}  # the action is not offered, so nothing runs
    assert Account.objects.filter(pk=account.pk).exists()


# --- who may ---------------------------------------------------------------------------------


def test_a_person_who_is_not_staff_is_sent_to_the_staff_login(client, chen, account):
    client.force_login(account.user)

    pages = [
        client.get(_url("changelist")),
        client.get(_url("add")),
        client.post(_url("add"), _registration(national_id="F223456786")),
        client.post(_url("suspend", account.pk), {"reason": "mine"}),
    ]

    login = reverse("admin:login")
    assert all(page.status_code == 302 for page in pages)
    assert all(page["Location"].startswith(login) for page in pages)
    assert Account.objects.count() == 1
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE


def test_staff_need_the_change_permission_to_suspend_and_the_add_permission_to_register(
    client, chen, account, staff_login
):
    clerk = User.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_account"))
    give_reason(staff_login(client, clerk), chen)

    assert client.get(_url("change", account.pk)).status_code == 200
    assert client.post(_url("suspend", account.pk), {"reason": "x"}).status_code == 403
    assert client.get(_url("add")).status_code == 403
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE

    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["change_account"]))
    clerk = User.objects.get(pk=clerk.pk)  # drop the cached permissions
    staff_login(client, clerk)

    assert client.post(_url("suspend", account.pk), {"reason": "x"}).status_code == 302
    account.refresh_from_db()
    assert account.status == Account.Status.SUSPENDED


def test_stored_mail_is_shown_read_only(staff_client, db):
    mail = StoredMail.objects.create(
        sender="nhi@example.com", recipients="chen@example.com", subject="健保卡註冊", body="Hi"
    )

    def url(view, *args):
        return reverse(f"admin:external_storedmail_{view}", args=args)

    listed = staff_client.get(url("changelist"))
    change = staff_client.post(url("change", mail.pk), {"subject": "tampered"})
    delete = staff_client.post(url("delete", mail.pk), {"post": "yes"})

    assert listed.status_code == 200
    assert "健保卡註冊" in listed.content.decode()
    assert (change.status_code, delete.status_code) == (403, 403)
    assert staff_client.get(url("add")).status_code == 403
    assert StoredMail.objects.get().subject == "健保卡註冊"
