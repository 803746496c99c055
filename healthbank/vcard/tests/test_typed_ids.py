"""National IDs and phone numbers given to the virtual card (an authorisation's grantee, a
clinic's request, the applicant's contact phone): full-width ones work as their ASCII
forms; Arabic-Indic, Devanagari and other scripts' digits never match anyone."""

from __future__ import annotations

import pytest

from healthbank.core.tests.digits import OTHER_SCRIPTS, full_width, written_in
from healthbank.vcard import services
from healthbank.vcard.models import Authorisation
from healthbank.vcard.services import VcardError
from healthbank.vcard.tests.helpers import application_for
from healthbank.vcard.tests.test_authorisations import authorise
from healthbank.vcard.tests.test_qr import refused

SCRIPTS = list(OTHER_SCRIPTS)


def test_a_full_width_grantee_id_authorises_them(family, card_for):
    card_for(family.parent)
    authorisation, _code = authorise(family, national_id=full_width(family.outsider.national_id))
    assert authorisation.grantee == family.outsider


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_grantee_id_in_other_digits_is_nobody(family, card_for, script):
    card_for(family.parent)
    refused(
        "grantee_unknown",
        authorise,
        family=family,
        national_id=written_in(family.outsider.national_id, script),
    )
    assert not Authorisation.objects.exists()


def test_a_clinic_request_with_a_full_width_id_reaches_the_person(family, card_for):
    card_for(family.parent)
    request = services.request_by_clinic(
        provider=family.clinic, national_id=full_width(family.parent.national_id)
    )
    assert request.grantor == family.parent


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_clinic_request_with_other_digits_reaches_nobody(family, card_for, script):
    card_for(family.parent)
    try:
        services.request_by_clinic(
            provider=family.clinic, national_id=written_in(family.parent.national_id, script)
        )
    except VcardError:
        pass
    assert not Authorisation.objects.filter(grantor=family.parent).exists()


def test_a_full_width_contact_phone_is_kept_in_ascii(family):
    application = application_for(family.parent, contact_phone=full_width("0912-345-678"))
    assert application.contact_phone == "0912345678"


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_contact_phone_in_other_digits_is_refused(family, script):
    refused(
        "invalid_phone",
        application_for,
        family.parent,
        contact_phone=written_in("0912-345-678", script),
    )
