"""The virtual card in the demo data: accepting providers in every county, and the personas'
cards (陳志明's own, 林雅婷's children's) that the demo shows at once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from healthbank.audit.models import AuditEvent
from healthbank.files import images
from healthbank.files.tests.stores import stored_names
from healthbank.people.models import Person
from healthbank.records.models import Provider
from healthbank.synth.services import seed_population
from healthbank.synth.virtual_cards import add_accepting_sites, add_persona_virtual_cards
from healthbank.vcard import selectors
from healthbank.vcard.models import AcceptingSite, Application, VirtualCard
from tests.fixtures.personas import seed_personas

TODAY = dt.date(2026, 11, 23)
CHEN, LIN, PINYU, YOUCHEN = "A123456789", "F223456786", "F224681354", "F135792464"


@pytest.fixture(autouse=True)
def vcard_dir(settings, tmp_path):
    settings.VCARD_DIR = tmp_path / "vcard"
    return settings.VCARD_DIR


@pytest.fixture
def personas(db) -> dict[str, Person]:
    seed_personas(today=TODAY)
    return {person.national_id: person for person in Person.objects.all()}


def _sites() -> list[tuple]:
    return list(
        AcceptingSite.objects.order_by("provider__code").values_list(
            "provider__code", *AcceptingSite.SERVICES, "since"
        )
    )


# --- accepting providers ----------------------------------------------------------------------


def test_about_one_provider_in_seven_accepts_the_card_but_no_agency_or_pharmacy(personas):
    eligible = Provider.objects.exclude(kind__in=[Provider.Kind.AGENCY, Provider.Kind.PHARMACY])
    share = AcceptingSite.objects.count() / eligible.count()
    assert 0.10 < share < 0.20, share
    assert not AcceptingSite.objects.filter(
        provider__kind__in=[Provider.Kind.AGENCY, Provider.Kind.PHARMACY]
    ).exists()


def test_every_county_with_providers_has_an_accepting_site(personas):
    counties = set(
        Provider.objects.exclude(kind__in=[Provider.Kind.AGENCY, Provider.Kind.PHARMACY])
        .values_list("county_id", flat=True)
        .distinct()
    )
    covered = set(AcceptingSite.objects.values_list("provider__county_id", flat=True))
    assert counties and counties <= covered


def test_every_site_offers_a_service_and_the_mix_is_plausible(personas):
    sites = AcceptingSite.objects.select_related("provider")
    assert all(any(getattr(s, name) for name in AcceptingSite.SERVICES) for s in sites)
    assert all(s.since <= timezone.localdate() for s in sites)
    clinics = [s for s in sites if s.provider.kind == Provider.Kind.CLINIC]
    assert sum(s.outpatient for s in clinics) > len(clinics) / 2
    assert any(s.home_care for s in clinics)
    assert any(s.video or s.telemedicine for s in sites)


def test_accepting_sites_are_the_same_for_the_same_seed_and_are_added_once(personas):
    first = _sites()
    assert add_accepting_sites(1) == 0
    assert _sites() == first
    AcceptingSite.objects.all().delete()
    assert add_accepting_sites(1) == len(first)
    assert _sites() == first


def test_a_site_staff_changed_is_kept_when_seeding_again(personas):
    site = AcceptingSite.objects.order_by("provider__code").first()
    AcceptingSite.objects.filter(pk=site.pk).update(
        outpatient=False, video=False, telemedicine=True, home_care=False
    )
    add_accepting_sites(1)
    site.refresh_from_db()
    assert (site.outpatient, site.video, site.telemedicine, site.home_care) == (
        False,
        False,
        True,
        False,
    )


# --- the personas' cards ----------------------------------------------------------------------


def test_chen_has_his_own_approved_card(personas):
    chen = personas[CHEN]
    card = VirtualCard.objects.select_related("application").get(person=chen)
    application = card.application
    assert application.status == Application.Status.APPROVED
    assert application.kind == Application.Kind.GENERAL
    assert application.applicant == chen
    assert application.document_kind == Application.Document.ID_CARD
    assert application.contact_phone == "0912000001"
    assert application.email
    assert application.reviewed_by is None and application.reviewed_at is not None
    assert application.terms_accepted_at <= application.reviewed_at
    assert [u.basis for u in selectors.usable_cards(chen)] == ["self"]


def test_lin_may_show_her_two_childrens_cards_but_has_none_of_her_own(personas):
    lin = personas[LIN]
    usable = selectors.usable_cards(lin)
    assert sorted((u.owner.national_id, u.basis) for u in usable) == [
        (YOUCHEN, "child"),
        (PINYU, "child"),
    ]
    assert selectors.card_of(lin) is None
    for child in (PINYU, YOUCHEN):
        application = VirtualCard.objects.get(person=personas[child]).application
        assert application.kind == Application.Kind.DEPENDANT
        assert application.applicant == lin
        assert application.document_kind == Application.Document.NHI_CARD


def test_only_the_three_have_cards(personas):
    holders = set(VirtualCard.objects.values_list("person__national_id", flat=True))
    assert holders == {CHEN, PINYU, YOUCHEN}


def test_the_stored_photos_are_clean_jpegs_of_the_right_size(personas):
    for card in VirtualCard.objects.select_related("application"):
        portrait = Image.open(io.BytesIO(images.read(card.portrait_image)))
        document = Image.open(io.BytesIO(images.read(card.application.document_image)))
        assert (portrait.format, document.format) == ("JPEG", "JPEG")
        assert portrait.size == (480, 600)
        assert document.width > document.height  # card-shaped
        assert not portrait.info.get("exif")


def test_seeding_again_makes_no_second_card_and_writes_no_audit_event(personas, vcard_dir):
    files = stored_names("vcard")
    seed_population(people_count=0, seed=1, today=TODAY)
    assert add_persona_virtual_cards() == 0
    assert VirtualCard.objects.count() == 3
    assert Application.objects.count() == 3
    assert stored_names("vcard") == files
    assert not AuditEvent.objects.filter(action__startswith="vcard.").exists()
