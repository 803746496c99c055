"""identity.review.decide, which every application kind's decisions go through: once, under
a lock, audited; with four eyes the one who checked cannot approve."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from healthbank.audit.models import AuditEvent
from healthbank.identity.review import ReviewRefused, ReviewStatus, decide
from healthbank.people.models import InsuredUnit
from healthbank.records.tests.factories import PersonFactory
from healthbank.township.models import TownshipApplication
from healthbank.township.rules import Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    office = InsuredUnit.objects.filter(kind=InsuredUnit.Kind.OFFICE).first() or (
        InsuredUnit.objects.create(
            code="123456789", name="板橋區公所", kind=InsuredUnit.Kind.OFFICE
        )
    )
    return TownshipApplication.objects.create(
        person=PersonFactory(),
        kind=Kind.SUSPEND,
        unit=office,
        effective_date=dt.date(2026, 12, 20),
    )


@pytest.fixture
def alice(db):
    return User.objects.create_user("alice", is_staff=True)


@pytest.fixture
def bob(db):
    return User.objects.create_user("bob", is_staff=True)


def _refusal(**kwargs) -> str:
    with pytest.raises(ReviewRefused) as refused:
        decide(**kwargs)
    return refused.value.code


@pytest.fixture
def four_eyes(monkeypatch):
    """The township application as if money moved (as a reimbursement claim does)."""
    monkeypatch.setattr(TownshipApplication, "four_eyes", True)


def test_a_reimbursement_has_four_eyes_and_other_applications_one_step():
    from healthbank.cards.models import CardApplication
    from healthbank.eservices.models import ReimbursementClaim

    assert ReimbursementClaim.four_eyes
    assert not CardApplication.four_eyes and not TownshipApplication.four_eyes


def test_a_one_step_application_cannot_be_checked(application, alice):
    with pytest.raises(ValueError, match="one step"):
        decide(application, staff_user=alice, step="check")


@pytest.mark.usefixtures("four_eyes")
def test_four_eyes_the_checker_cannot_approve_and_a_colleague_can(application, alice, bob):
    checked = decide(application, staff_user=alice, step="check")
    assert checked.status == ReviewStatus.CHECKED and checked.checked_by == alice
    assert _refusal(application=application, staff_user=alice, step="approve") == ("same_staff")
    approved = decide(application, staff_user=bob, step="approve")
    assert approved.status == ReviewStatus.APPROVED and approved.decided_by == bob
    actions = AuditEvent.objects.filter(person=application.person).values_list("action", "actor_id")
    assert list(actions.order_by("id")) == [
        (AuditEvent.Action.APPLICATION_CHECKED, alice.pk),
        (AuditEvent.Action.APPLICATION_APPROVED, bob.pk),
    ]


@pytest.mark.usefixtures("four_eyes")
def test_four_eyes_an_unchecked_application_cannot_be_approved(application, bob):
    code = _refusal(application=application, staff_user=bob, step="approve")
    assert code == "not_checked"
    application.refresh_from_db()
    assert application.status == ReviewStatus.PENDING


def test_a_decided_application_is_decided_once(application, alice, bob):
    decide(application, staff_user=alice, step="approve")
    assert _refusal(application=application, staff_user=bob, step="reject", reason="x") == (
        "not_open"
    )
    application.refresh_from_db()
    assert application.status == ReviewStatus.APPROVED and application.decided_by == alice


def test_a_rejection_needs_a_reason_and_keeps_it(application, alice):
    assert _refusal(application=application, staff_user=alice, step="reject", reason=" ") == (
        "no_reason"
    )
    rejected = decide(application, staff_user=alice, step="reject", reason=" 照片模糊 ")
    assert rejected.rejection_reason == "照片模糊"


def test_refusals_read_in_both_languages():
    with translation.override("en"):
        assert "another member of staff" in str(ReviewRefused("same_staff").message)
    with translation.override("zh-hant"):
        assert "另一位同仁" in str(ReviewRefused("same_staff").message)
