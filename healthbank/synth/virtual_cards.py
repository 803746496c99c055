"""The virtual card in the demo: providers that accept it, and the personas' cards that exist
from the start (陳志明's own; 林雅婷's two children's, which she applied for). Everyone else
applies in the demo. Written directly, without audit events: nobody did these things."""

from __future__ import annotations

import datetime as dt
import io
import random
from functools import cache

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from healthbank.files import images
from healthbank.people.models import Person
from healthbank.records.models import Provider
from healthbank.vcard import rules
from healthbank.vcard.models import AcceptingSite, Application, VirtualCard

Kind = Provider.Kind
Document = Application.Document

# Ours: about this share of the providers accept the virtual card.
ACCEPTING_SHARE = 0.15
# The chance of each service (outpatient, video, telemedicine, home care) by kind of provider:
# clinics visit patients at home, hospitals and health centres see them on video or remotely.
HOSPITAL = (1.0, 0.5, 0.4, 0.15)
SERVICE_CHANCES: dict[str, tuple[float, float, float, float]] = {
    Kind.MEDICAL_CENTRE: HOSPITAL,
    Kind.REGIONAL_HOSPITAL: HOSPITAL,
    Kind.DISTRICT_HOSPITAL: HOSPITAL,
    Kind.CLINIC: (0.9, 0.25, 0.1, 0.45),
    Kind.DENTAL_CLINIC: (0.95, 0.0, 0.0, 0.15),
    Kind.TCM_CLINIC: (0.95, 0.1, 0.0, 0.2),
    Kind.HEALTH_STATION: (0.8, 0.2, 0.6, 0.3),
}
# Between these days a site started accepting the card (the card has been in use since 2021).
FIRST_SINCE = dt.date(2021, 6, 1)
LAST_SINCE = dt.date(2025, 12, 31)


def _site(provider_id: int, kind: str, rng: random.Random) -> AcceptingSite:
    offered = [rng.random() < chance for chance in SERVICE_CHANCES[kind]]
    if not any(offered):
        offered[0] = True  # every site offers something: outpatient care at least
    since = FIRST_SINCE + dt.timedelta(days=rng.randrange((LAST_SINCE - FIRST_SINCE).days + 1))
    return AcceptingSite(
        provider_id=provider_id,
        **dict(zip(AcceptingSite.SERVICES, offered, strict=True)),
        since=min(since, timezone.localdate()),
    )


def add_accepting_sites(seed: int) -> int:
    """Mark a deterministic ~15% of the providers (not agencies or pharmacies) as accepting the
    virtual card, at least one in every county that has providers. Sites already there, and
    what staff changed in them, are kept. Returns how many were added."""
    rng = random.Random(f"{seed}:vcard-sites")
    eligible = (
        Provider.objects.filter(kind__in=SERVICE_CHANCES)
        .order_by("code")
        .values_list("id", "kind", "county_id")
    )
    chosen: list[tuple[int, str]] = []
    by_county: dict[str, list[tuple[int, str]]] = {}
    for provider_id, kind, county in eligible:
        by_county.setdefault(county, []).append((provider_id, kind))
        if rng.random() < ACCEPTING_SHARE:
            chosen.append((provider_id, kind))
    picked = {provider_id for provider_id, _ in chosen}
    existing = set(AcceptingSite.objects.values_list("provider__county_id", flat=True))
    for county, providers in sorted(by_county.items()):
        if county not in existing and not any(pid in picked for pid, _ in providers):
            chosen.append(rng.choice(providers))
    already = set(AcceptingSite.objects.values_list("provider_id", flat=True))
    sites = [_site(pid, kind, random.Random(f"{seed}:vcard-site:{pid}")) for pid, kind in chosen]
    new = [site for site in sites if site.provider_id not in already]
    AcceptingSite.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# --- the personas' cards ---------------------------------------------------------------------

PORTRAIT_SIZE = (480, 600)
DOCUMENT_SIZE = (960, 640)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def portrait_placeholder() -> bytes:
    """A neutral head-and-shoulders silhouette on a light background: no real face exists."""
    width, height = PORTRAIT_SIZE
    image = Image.new("RGB", PORTRAIT_SIZE, (232, 236, 240))
    draw = ImageDraw.Draw(image)
    grey = (150, 158, 168)
    draw.ellipse((width * 0.12, height * 0.62, width * 0.88, height * 1.25), fill=grey)
    draw.rectangle((width * 0.42, height * 0.5, width * 0.58, height * 0.68), fill=grey)
    draw.ellipse((width * 0.3, height * 0.16, width * 0.7, height * 0.58), fill=grey)
    return _jpeg(image)


def document_placeholder() -> bytes:
    """A card-shaped specimen. Pillow's own font has no Chinese glyphs, so the text is the
    English word only."""
    width, height = DOCUMENT_SIZE
    image = Image.new("RGB", DOCUMENT_SIZE, (245, 245, 245))
    draw = ImageDraw.Draw(image)
    card = (40, 60, width - 40, height - 60)  # about the 85.6 × 54 mm of an ID card
    draw.rounded_rectangle(card, radius=28, fill=(214, 228, 240), outline=(90, 110, 140), width=4)
    draw.rectangle((80, 150, 300, 440), fill=(170, 180, 192))  # where the photo would be
    for row in range(5):
        top = 170 + row * 55
        draw.rectangle((340, top, 840 - row * 60, top + 22), fill=(180, 196, 214))
    font = ImageFont.load_default(size=64)
    draw.text((width / 2, height - 130), "SPECIMEN", font=font, fill=(200, 40, 40), anchor="mm")
    return _jpeg(image)


@cache
def _placeholders() -> tuple[bytes, bytes]:
    """The portrait and the document, drawn and checked once a process (tests seed often)."""
    return (
        images.clean_image(portrait_placeholder(), max_side=rules.PORTRAIT_MAX_SIDE),
        images.clean_image(document_placeholder(), max_side=rules.DOCUMENT_MAX_SIDE),
    )


# (card holder, applicant, identity document, contact phone, e-mail if the person has none)
PERSONA_CARDS = (
    ("A123456789", "A123456789", Document.ID_CARD, "0912000001", "zhiming.chen@example.com"),
    ("F224681354", "F223456786", Document.NHI_CARD, "0912000003", "yating.lin@example.com"),
    ("F135792464", "F223456786", Document.NHI_CARD, "0912000003", "yating.lin@example.com"),
)


def add_persona_virtual_cards() -> int:
    """Approved applications with cards for 陳志明 (his own) and 林雅婷's children (hers as a
    household member's, 依附眷屬); a person who has a card already is left alone. Returns how
    many cards were made."""
    ids = {holder for holder, *_ in PERSONA_CARDS} | {
        applicant for _, applicant, *_ in PERSONA_CARDS
    }
    people = Person.objects.in_bulk(ids, field_name="national_id")
    with_card = set(
        VirtualCard.objects.filter(person__national_id__in=ids).values_list(
            "person__national_id", flat=True
        )
    )
    now = timezone.now()
    made = 0
    for holder_id, applicant_id, document, phone, email in PERSONA_CARDS:
        holder, applicant = people.get(holder_id), people.get(applicant_id)
        if holder is None or applicant is None or holder_id in with_card:
            continue
        portrait, document_image = (images.store(data) for data in _placeholders())
        submitted = now - dt.timedelta(days=3)
        with transaction.atomic():
            application = Application.objects.create(
                person=holder,
                applicant=applicant,
                kind=Application.Kind.GENERAL
                if holder == applicant
                else Application.Kind.DEPENDANT,
                status=Application.Status.APPROVED,
                document_kind=document,
                document_image=document_image,
                portrait_image=portrait,
                contact_phone=phone,
                email=applicant.email or email,
                terms_accepted_at=submitted,
                submitted_at=submitted,
                reviewed_at=now,
            )
            VirtualCard.objects.create(
                person=holder, application=application, portrait_image=portrait, issued_at=now
            )
        made += 1
    return made
