"""授權與管理 (seed 004): a specific person (outside the household at most one month, the
owner mailed on each use), a household member (agrees within 10 minutes), revocation; and
我授權的 / 我可使用 as the people involved see them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.http import Http404
from django.utils import timezone
from django.utils.translation import override

from healthbank.vcard import rules, selectors, services
from healthbank.vcard.models import Authorisation
from healthbank.vcard.tests.helpers import run_tasks
from healthbank.vcard.tests.test_qr import refused


def today() -> dt.date:
    return timezone.localdate()


@pytest.mark.parametrize(
    ("start", "last"),
    [
        (dt.date(2026, 11, 24), dt.date(2026, 12, 23)),
        (dt.date(2026, 12, 15), dt.date(2027, 1, 14)),
        (dt.date(2027, 1, 31), dt.date(2027, 2, 27)),  # no 31 February: its last day, less one
        (dt.date(2028, 1, 31), dt.date(2028, 2, 28)),  # a leap year
    ],
)
def test_one_month_is_up_to_the_day_before_the_same_day_next_month(start, last):
    assert rules.one_month_after(start) == last


def authorise(family, **changes):
    fields = {
        "grantor": family.parent,
        "national_id": family.outsider.national_id,
        "name": family.outsider.name,
        "starts_on": today(),
        "ends_on": today() + dt.timedelta(days=7),
    } | changes
    return services.authorise_specific(**fields)


def test_someone_outside_the_household_for_one_month_at_most(family, card_for):
    card_for(family.parent)
    last = rules.one_month_after(today())

    refused(
        "period_outside_household", authorise, family=family, ends_on=last + dt.timedelta(days=1)
    )
    assert not Authorisation.objects.exists()

    authorisation, code = authorise(family, ends_on=last)
    assert authorisation.state(timezone.now()) == "pending" and len(code) == 9


def test_inside_the_household_a_specific_person_may_have_longer(family, card_for):
    card_for(family.parent)
    authorisation, _code = authorise(
        family,
        national_id=family.spouse.national_id,
        name=family.spouse.name,
        ends_on=today() + dt.timedelta(days=90),
    )
    assert authorisation.ends_at.date() >= today() + dt.timedelta(days=90)


def test_the_grantee_must_be_named_right_and_not_oneself(family, card_for):
    refused("no_card", authorise, family=family)
    card_for(family.parent)
    refused("grantee_unknown", authorise, family=family, name="黃冠")
    refused("grantee_unknown", authorise, family=family, national_id="B123456789")
    refused(
        "grantee_self",
        authorise,
        family=family,
        national_id=family.parent.national_id,
        name=family.parent.name,
    )
    refused("invalid_period", authorise, family=family, starts_on=today() - dt.timedelta(days=1))
    refused("invalid_period", authorise, family=family, ends_on=today() - dt.timedelta(days=1))
    assert not Authorisation.objects.exists()


def test_only_the_named_person_claims_the_code_and_only_once(family, card_for):
    card_for(family.parent)
    authorisation, code = authorise(family)

    refused("code_invalid", services.claim, grantee=family.spouse, code=code)
    claimed = services.claim(grantee=family.outsider, code=code.lower().replace("-", " "))
    assert claimed.state(timezone.now()) == "active"
    refused("code_invalid", services.claim, grantee=family.outsider, code=code)

    usable = selectors.usable_cards(family.outsider)
    assert [(u.owner, u.basis) for u in usable] == [(family.parent, "specific")]
    assert [a.pk for a in selectors.granted_by(family.parent)] == [authorisation.pk]
    assert [a.pk for a in selectors.granted_to(family.outsider)] == [authorisation.pk]


def test_the_owner_is_mailed_each_time_a_specific_person_uses_the_card(
    family, card_for, django_capture_on_commit_callbacks
):
    card_for(family.parent)
    _authorisation, code = authorise(family)
    services.claim(grantee=family.outsider, code=code)
    run_tasks()
    mail.outbox.clear()

    for _ in range(2):
        token, _row = services.issue_qr(presenter=family.outsider, owner_id=family.parent.pk)
        with django_capture_on_commit_callbacks(execute=True):
            read = services.verify_qr(provider=family.clinic, token=token)
        assert read.presented_by == family.outsider and read.basis == "specific"
    run_tasks()

    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.to == [family.parent.email]
    assert "黃冠宇" in message.body and "幸福診所" in message.body
    assert "used your virtual NHI card" in message.body  # English below the Chinese


def test_the_grant_ends_with_its_period(family, card_for, clock):
    card_for(family.parent)
    _authorisation, code = authorise(family, ends_on=today() + dt.timedelta(days=2))
    services.claim(grantee=family.outsider, code=code)
    token, _ = services.issue_qr(presenter=family.outsider, owner_id=family.parent.pk)

    end = timezone.make_aware(dt.datetime.combine(today() + dt.timedelta(days=3), dt.time()))
    clock.to(end)
    with pytest.raises(Http404):
        services.issue_qr(presenter=family.outsider, owner_id=family.parent.pk)
    refused("qr_expired", services.verify_qr, provider=family.clinic, token=token)


def test_an_unclaimed_code_lapses_after_a_day(family, card_for, clock):
    card_for(family.parent)
    _authorisation, code = authorise(family)
    clock.forward(days=1)
    refused("code_invalid", services.claim, grantee=family.outsider, code=code)


# --- household members -----------------------------------------------------------------------


def household_grant(family, **changes) -> Authorisation:
    fields = {
        "grantor": family.parent,
        "grantee_id": family.spouse.pk,
        "starts_on": today(),
        "ends_on": today() + dt.timedelta(days=30),
    } | changes
    return services.authorise_household(**fields)


def test_a_household_member_agrees_within_ten_minutes(family, card_for, clock):
    card_for(family.parent)
    authorisation = household_grant(family)
    assert list(selectors.waiting_for(family.spouse)) == [authorisation]
    assert selectors.usable_cards(family.spouse) == []  # not before agreeing

    clock.forward(minutes=9, seconds=59)
    services.agree(person=family.spouse, authorisation_id=authorisation.pk)

    [usable] = selectors.usable_cards(family.spouse)
    assert (usable.owner, usable.basis) == (family.parent, "household")
    assert list(selectors.waiting_for(family.spouse)) == []


def test_after_ten_minutes_the_request_has_lapsed(family, card_for, clock):
    card_for(family.parent)
    authorisation = household_grant(family)
    clock.forward(minutes=10)
    assert list(selectors.waiting_for(family.spouse)) == []
    refused("lapsed", services.agree, person=family.spouse, authorisation_id=authorisation.pk)
    assert Authorisation.objects.get().state(timezone.now()) == "lapsed"
    assert selectors.usable_cards(family.spouse) == []


def test_only_the_member_asked_may_answer_and_only_once(family, card_for):
    card_for(family.parent)
    authorisation = household_grant(family)
    for other in (family.parent, family.outsider, family.child):
        with pytest.raises(Http404):
            services.agree(person=other, authorisation_id=authorisation.pk)
    services.decline(person=family.spouse, authorisation_id=authorisation.pk)
    refused("not_pending", services.agree, person=family.spouse, authorisation_id=authorisation.pk)


def test_someone_outside_the_household_cannot_be_chosen_as_a_member(family, card_for):
    card_for(family.parent)
    with pytest.raises(Http404):
        household_grant(family, grantee_id=family.outsider.pk)
    refused(
        "period_too_long",
        household_grant,
        family=family,
        ends_on=today() + dt.timedelta(days=rules.HOUSEHOLD_MAX_DAYS),
    )


def test_revoking_ends_the_use_and_voids_a_code_on_screen(family, card_for):
    card_for(family.parent)
    authorisation = household_grant(family)
    services.agree(person=family.spouse, authorisation_id=authorisation.pk)
    token, _ = services.issue_qr(presenter=family.spouse, owner_id=family.parent.pk)

    with pytest.raises(Http404):  # only the two people involved may revoke
        services.revoke(person=family.outsider, authorisation_id=authorisation.pk)
    services.revoke(person=family.parent, authorisation_id=authorisation.pk)

    assert selectors.usable_cards(family.spouse) == []
    refused("qr_expired", services.verify_qr, provider=family.clinic, token=token)
    refused(
        "already_ended", services.revoke, person=family.spouse, authorisation_id=authorisation.pk
    )


def test_the_grantee_may_give_an_authorisation_up(family, card_for):
    card_for(family.parent)
    authorisation = household_grant(family)
    services.agree(person=family.spouse, authorisation_id=authorisation.pk)
    services.revoke(person=family.spouse, authorisation_id=authorisation.pk)
    assert Authorisation.objects.get().status == "revoked"


def test_one_authorisation_of_a_person_at_a_time(family, card_for):
    card_for(family.parent)
    authorise(family)
    refused("already_authorised", authorise, family=family)  # not yet claimed
    household_grant(family)
    refused("already_authorised", household_grant, family=family)
    assert Authorisation.objects.count() == 2


def test_the_last_day_is_written_in_the_readers_calendar(family, card_for):
    card_for(family.parent)
    last = rules.one_month_after(today())
    with override("zh-hant"):
        error = refused(
            "period_outside_household",
            authorise,
            family=family,
            ends_on=last + dt.timedelta(days=1),
        )
    assert f"{last.year - 1911}/{last:%m/%d}" in error.message
    with override("en"):
        error = refused(
            "period_outside_household",
            authorise,
            family=family,
            ends_on=last + dt.timedelta(days=1),
        )
    assert last.isoformat() in error.message
