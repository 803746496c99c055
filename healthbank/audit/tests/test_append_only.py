"""Audit events are append-only: the model refuses updates and deletes, and the staff
pages only show them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from healthbank.audit.models import AuditEvent
from healthbank.audit.services import record
from healthbank.people.identifiers import check_digit
from healthbank.people.models import Person, Sex
from tests.fixtures.portal import give_reason

NATIONAL_ID = "A20000000" + check_digit("A20000000")


def _url(view: str, *args) -> str:
    return reverse(f"admin:audit_auditevent_{view}", args=args)


@pytest.fixture
def person(db) -> Person:
    return Person.objects.create(
        national_id=NATIONAL_ID, name="王小明", sex=Sex.FEMALE, birth_date="1980-02-03"
    )


@pytest.fixture
def event(person) -> AuditEvent:
    return record(action=AuditEvent.Action.LOGIN, person=person, method="password")


def _stored(event: AuditEvent) -> dict:
    return AuditEvent.objects.filter(pk=event.pk).values().get()


def test_saving_an_existing_event_again_is_refused(event):
    before = _stored(event)
    event.success = False

    with pytest.raises(ValueError, match="append-only"):
        event.save()

    assert _stored(event) == before


def test_deleting_an_event_is_refused(event):
    with pytest.raises(ValueError, match="append-only"):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_staff_pages_list_events_and_find_them_by_national_id(admin_client, event, person):
    other = record(action=AuditEvent.Action.LOGIN_FAILED, person=None, success=False)
    give_reason(admin_client, person)  # and a search's (identity.staff_reads)
    give_reason(admin_client)

    everything = admin_client.get(_url("changelist"))
    by_id = admin_client.get(_url("changelist"), {"q": NATIONAL_ID.lower()})
    failed = admin_client.get(_url("changelist"), {"success__exact": "0"})
    change = admin_client.get(_url("change", event.pk))

    assert list(everything.context["cl"].result_list) == [other, event]  # newest first
    assert list(by_id.context["cl"].result_list) == [event]
    assert list(failed.context["cl"].result_list) == [other]
    assert change.status_code == 200
    assert not change.context["has_change_permission"]
    assert b'name="action"' not in change.content  # no editable field


def test_staff_pages_cannot_add_change_or_delete_events(admin_client, event):
    before = _stored(event)
    give_reason(admin_client, event.person_id)
    listed = admin_client.get(_url("changelist"))
    add_page = admin_client.get(_url("add"))
    add = admin_client.post(_url("add"), {"action": "login", "actor": "person"})
    change = admin_client.post(_url("change", event.pk), {"success": "", "action": "logout"})
    delete_page = admin_client.get(_url("delete", event.pk))
    delete = admin_client.post(_url("delete", event.pk), {"post": "yes"})
    bulk = admin_client.post(
        _url("changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )

    assert _url("add") not in listed.content.decode()
    assert "delete_selected" not in listed.content.decode()
    assert (add_page.status_code, add.status_code) == (403, 403)
    assert (change.status_code, delete_page.status_code, delete.status_code) == (403, 403, 403)
    assert bulk.status_code in {200, 302}  # the action is not offered, so nothing runs
    assert AuditEvent.objects.count() == 1
    assert _stored(event) == before


def test_staff_need_the_view_permission_to_read_the_trail(client, event, staff_login):
    clerk = User.objects.create_user("clerk", is_staff=True)
    staff_login(client, clerk)

    refused = client.get(_url("changelist"))
    clerk.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    clerk = User.objects.get(pk=clerk.pk)  # drop the cached permissions
    staff_login(client, clerk)
    allowed = client.get(_url("changelist"))

    assert refused.status_code == 403
    assert allowed.status_code == 200


def test_people_who_are_not_staff_are_sent_to_the_staff_login(client, event):
    client.force_login(User.objects.create_user("someone"))

    response = client.post(_url("delete", event.pk), {"post": "yes"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert AuditEvent.objects.filter(pk=event.pk).exists()
