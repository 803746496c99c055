"""Applications (seed 004: 一般申請 and 依附眷屬): refusals write nothing, neither rows nor
photos; the NHI card's front only under 14; one application under review at a time."""

from __future__ import annotations

import pytest

from healthbank.audit.models import AuditEvent
from healthbank.files.tests.stores import stored_names
from healthbank.vcard import services
from healthbank.vcard.models import Application
from healthbank.vcard.tests.helpers import application_for
from healthbank.vcard.tests.test_qr import refused


def stored(vcard_dir) -> list:
    return stored_names("vcard")


@pytest.mark.parametrize(
    ("code", "changes"),
    [
        ("terms_required", {"terms_accepted": False}),
        ("invalid_phone", {"contact_phone": "12"}),
        ("invalid_email", {"email": "not an address"}),
        ("invalid_document", {"document_kind": "passport"}),
        ("document_for_age", {"document_kind": "nhi_card"}),  # the parent is 38
        ("not_image", {"portrait": b"%PDF-1.7 not a photo"}),
    ],
)
def test_refusals_write_nothing(family, vcard_dir, code, changes):
    refused(code, application_for, family.parent, **changes)
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="vcard.").exists()
    assert stored(vcard_dir) == []


def test_a_child_under_14_may_show_the_nhi_card_front(family, vcard_dir):
    application = application_for(family.child, family.parent, document_kind="nhi_card")
    assert (application.kind, application.applicant) == ("dependant", family.parent)
    assert len(stored(vcard_dir)) == 2


def test_only_a_household_member_applies_for_another(family):
    refused("not_household", application_for, family.parent, family.outsider)


def test_one_application_under_review_at_a_time_and_none_with_a_card(family, card_for):
    application_for(family.parent)
    refused("application_pending", application_for, family.parent)
    refused("application_pending", application_for, family.parent, family.spouse)
    card_for(family.spouse)
    refused("has_card", application_for, family.spouse)


def test_a_rejected_applicant_may_apply_again(family):
    first = application_for(family.parent)
    services.reject(application=first, staff_user=family.staff, reason="照片模糊無法辨識")
    assert application_for(family.parent).status == "pending"


def test_photos_are_removed_when_the_row_cannot_be_written(family, vcard_dir, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(RuntimeError):
        application_for(family.parent)
    assert stored(vcard_dir) == [] and not Application.objects.exists()
