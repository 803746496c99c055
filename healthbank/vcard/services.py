"""The virtual card's actions (seed 004): apply and review, show a one-time QR code and have
a provider verify it, authorise others, and a clinic's request to use the card.

Every action is audited under the person whose card it concerns; refusals are VcardError
with a stable code and a message in the person's language."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, Expression, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from healthbank.audit.services import Action, Actor, record
from healthbank.core import phones
from healthbank.core.templatetags.rocdate import rocdate
from healthbank.core.typed import ascii_typed
from healthbank.files import images
from healthbank.people.identifiers import normalise
from healthbank.people.models import Enrolment, Person
from healthbank.records.models import Provider
from healthbank.vcard import qr, rules, selectors
from healthbank.vcard.models import (
    AcceptingSite,
    Application,
    Authorisation,
    QrToken,
    VirtualCard,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

Kind = Authorisation.Kind
Status = Authorisation.Status


class VcardError(Exception):
    MESSAGES = {
        "terms_required": _("Accept the privacy terms and service policy to apply."),
        "not_household": _("Only a member of your own household (同一健保戶) can be chosen."),
        "has_card": _("This person already has a virtual NHI card."),
        "application_pending": _(
            "An application for this person is already under review. You will be told the "
            "result in the app and by e-mail."
        ),
        "invalid_document": _(
            "Choose the identity document in the photo: national ID card or resident certificate."
        ),
        "document_for_age": _(
            "The NHI card's front may serve as the identity document only for children under "
            "14. Upload the national ID card or the resident certificate."
        ),
        "invalid_phone": phones.MESSAGES["phone"],
        "invalid_email": _("Enter a valid e-mail address, e.g. name@example.com."),
        "too_large": _(
            "The photo is too large (10 MB at most). Take it again at a lower resolution."
        ),
        "no_card": _("You have no virtual NHI card yet. Apply for one first."),
        "invalid_period": _(
            "Choose a start date from today on, and an end date on or after the start date."
        ),
        "period_outside_household": _(
            "Someone outside your household can be authorised for one month at most: choose "
            "an end date no later than %(last)s."
        ),
        "period_too_long": _("An authorisation can last one year at most."),
        "grantee_unknown": _(
            "The national ID and name do not match an insured person. Check both and try again."
        ),
        "grantee_self": _("You cannot authorise yourself."),
        "already_authorised": _(
            "You have already authorised this person, or an authorisation is waiting for "
            "their answer. Revoke it first to change the dates."
        ),
        "code_invalid": _(
            "The authorisation code is not valid for you, has been used, or has expired. Ask "
            "the card holder for a new one."
        ),
        "lapsed": _(
            "The 10 minutes to agree have passed. Ask for the authorisation to be made again."
        ),
        "not_pending": _("This authorisation is no longer waiting for an answer."),
        "already_ended": _("This authorisation has already ended."),
        # The providers' API: read by clinics' systems and their staff.
        "qr_invalid": _("This is not a valid virtual NHI card QR code."),
        "qr_expired": _(
            "This QR code has expired (5 minutes). Ask the person to show a new QR code."
        ),
        "qr_used": _("This QR code has already been used. Ask the person to show a new QR code."),
        "authorisation_ended": _(
            "The authorisation to use this card has ended. The card holder must authorise again."
        ),
        "not_accepting": _(
            "This provider is not registered to accept the virtual NHI card. Apply to NHIA."
        ),
        "card_not_found": _("This person has no virtual NHI card."),
        "request_not_usable": _(
            "The person has not agreed to this request, or the hour to use the card has passed."
        ),
    }

    # HTTP status of each refusal in the APIs; anything else is 400. As in api.api.STATUS:
    # 422 when a rule the OpenAPI document cannot state refuses a well-formed request.
    STATUS = {
        "terms_required": 422,
        "not_household": 404,
        "invalid_document": 422,
        "document_for_age": 422,
        "invalid_phone": 422,
        "invalid_email": 422,
        "too_many_pixels": 422,
        "too_small": 422,
        "damaged": 422,
        "unsupported_format": 422,
        "not_image": 422,
        "invalid_period": 422,
        "period_outside_household": 422,
        "period_too_long": 422,
        "grantee_unknown": 404,
        "grantee_self": 422,
        "already_authorised": 409,
        "code_invalid": 404,
        "has_card": 409,
        "application_pending": 409,
        "too_large": 413,
        "no_card": 409,
        "lapsed": 409,
        "not_pending": 409,
        "already_ended": 409,
        "qr_expired": 410,
        "qr_used": 409,
        "authorisation_ended": 410,
        "not_accepting": 403,
        "card_not_found": 404,
        "request_not_usable": 409,
        "qr_invalid": 404,  # a code or photo ticket never issued: no such code
    }

    def __init__(self, code: str, message: StrOrPromise | None = None, **params: object):
        super().__init__(code)
        self.code = code
        self.message = message if message is not None else self.MESSAGES[code]
        if params:
            self.message = str(self.message) % params


def _now() -> dt.datetime:
    return timezone.now()


# --- applications (申請, 眷屬管理) -----------------------------------------------------------


def _clean_contact(contact_phone: str, email: str) -> tuple[str, str]:
    try:  # a Taiwanese number as people write it, stored in one form (core.phones)
        phone = phones.canonical(contact_phone or "", "phone")
    except phones.NotAPhoneNumber:
        raise VcardError("invalid_phone") from None
    if not phone:
        raise VcardError("invalid_phone")
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise VcardError("invalid_email") from None
    return phone, email


def apply(
    *,
    applicant: Person,
    person: Person,
    document_kind: str,
    document: bytes,
    portrait: bytes,
    contact_phone: str,
    email: str,
    terms_accepted: bool,
    address: str | None = None,
) -> Application:
    """Submit an application for the person's card: their own (一般申請) or, by a member of
    the same household, a dependant's (依附眷屬). The photos are checked and re-encoded before
    anything is written; staff review it."""
    if not terms_accepted:
        raise VcardError("terms_required")
    dependant = person.pk != applicant.pk
    if dependant and (
        applicant.household_id is None or person.household_id != applicant.household_id
    ):
        raise VcardError("not_household")
    if document_kind not in Application.Document.values:
        raise VcardError("invalid_document")
    today = timezone.localdate()
    if (
        document_kind == Application.Document.NHI_CARD
        and person.age_on(today) >= rules.CARD_AS_DOCUMENT_UNDER
    ):
        raise VcardError("document_for_age")
    phone, email = _clean_contact(contact_phone, email)
    if VirtualCard.objects.filter(person=person).exists():
        raise VcardError("has_card")
    if Application.objects.filter(person=person, status=Application.Status.PENDING).exists():
        raise VcardError("application_pending")
    try:
        cleaned = (
            images.clean_image(document, max_side=rules.DOCUMENT_MAX_SIDE),
            images.clean_image(portrait, max_side=rules.PORTRAIT_MAX_SIDE),
        )
    except images.ImageRefused as refused:
        raise VcardError(refused.code, refused.message) from None
    names = [images.store(data) for data in cleaned]
    try:
        with transaction.atomic():
            application = Application.objects.create(
                person=person,
                applicant=applicant,
                kind=Application.Kind.DEPENDANT if dependant else Application.Kind.GENERAL,
                document_kind=document_kind,
                document_image=names[0],
                portrait_image=names[1],
                contact_phone=phone,
                email=email,
                terms_accepted_at=_now(),
            )
            record(
                action=Action.VCARD_APPLIED,
                person=person,
                actor_id=applicant.pk,
                address=address,
                application=application.pk,
                kind=application.kind,
            )
    except BaseException as failed:  # nothing written: the stored photos go too
        for name in names:
            images.delete(name)
        if isinstance(failed, IntegrityError):  # a second submission raced the first
            raise VcardError("application_pending") from None
        raise
    return application


def approve(*, application: Application, staff_user: User) -> VirtualCard:
    """Staff accept the photos: the card exists from now, with the portrait as its photo."""
    with transaction.atomic():
        application = _review(application, staff_user, Application.Status.APPROVED)
        card = VirtualCard.objects.create(
            person=application.person,
            application=application,
            portrait_image=application.portrait_image,
        )
    _mail_applicant(application)
    return card


def reject(*, application: Application, staff_user: User, reason: str) -> Application:
    """Staff refuse, with a reason the applicant reads in the app and the e-mail."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a rejection needs a reason")
    with transaction.atomic():
        application = _review(
            application, staff_user, Application.Status.REJECTED, rejection_reason=reason
        )
    _mail_applicant(application)
    return application


def _review(application: Application, staff_user: User, status: str, **fields: Any) -> Application:
    """The application, locked, marked reviewed; refused if a colleague got there first."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.PENDING:
        raise VcardError("not_pending")
    application.status, application.reviewed_at = status, _now()
    application.reviewed_by = staff_user
    for name, value in fields.items():
        setattr(application, name, value)
    application.save(update_fields=["status", "reviewed_at", "reviewed_by", *fields])
    approved = status == Application.Status.APPROVED
    record(
        action=Action.VCARD_APPROVED if approved else Action.VCARD_REJECTED,
        person=application.person,
        actor=Actor.STAFF,
        actor_id=staff_user.pk,
        application=application.pk,
    )
    return application


def _mail_applicant(application: Application) -> None:
    from healthbank.vcard import tasks

    transaction.on_commit(lambda: tasks.mail_review_result.enqueue(application.pk))


# --- QR codes and their verification ----------------------------------------------------------


def issue_qr(
    *, presenter: Person, owner_id: int, address: str | None = None
) -> tuple[str, QrToken]:
    """A new one-time QR code of a card the presenter may show; their earlier unused codes
    of that card stop working, so only the code on the screen now can be used."""
    now = _now()
    usable = selectors.usable_card(presenter, owner_id, now)
    expires_at = now + rules.QR_VALID
    if usable.until is not None:
        expires_at = min(expires_at, usable.until)
    token, jti = qr.sign(expires_at)
    with transaction.atomic():
        QrToken.objects.filter(
            person_id=owner_id, presented_by=presenter, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        row = QrToken.objects.create(
            jti=jti,
            person=usable.owner,
            presented_by=presenter,
            basis=usable.basis,
            authorisation=usable.authorisation,
            issued_at=now,
            expires_at=expires_at,
        )
        record(
            action=Action.VCARD_QR_ISSUED,
            person=usable.owner,
            actor_id=presenter.pk,
            address=address,
            basis=usable.basis,
        )
    return token, row


@dataclass(frozen=True)
class CardRead:
    """What a provider learns from a card: who, their photo, and whether they are insured."""

    card: VirtualCard
    enrolment: Enrolment | None
    presented_by: Person
    basis: str
    photo_ticket: str
    at: dt.datetime

    @property
    def person(self) -> Person:
        return self.card.person


# Who may verify which code is decided once, here, as query expressions: `verify_qr` runs
# them through Django and fastpath.py compiles the same ones into its single statement.


def site_of(provider: Provider | OuterRef) -> QuerySet[AcceptingSite]:
    """Where the provider accepts the virtual card (one row or none): only such providers
    may verify a code."""
    return AcceptingSite.objects.filter(provider=provider)


def verifiable(now: dt.datetime | Expression) -> Q:
    """The QR codes a provider may verify at `now`: unused, unexpired, and shown under no
    authorisation or under one that is in force then (`Authorisation.is_usable`)."""
    in_force = Authorisation.objects.filter(
        pk=OuterRef("authorisation_id"), status=Status.ACTIVE, starts_at__lte=now, ends_at__gt=now
    )
    return Q(used_at__isnull=True, expires_at__gt=now) & (
        Q(authorisation__isnull=True) | Q(Exists(in_force))
    )


def accepts_card(provider: Provider) -> bool:
    return site_of(provider).exists()


def _read(
    *,
    provider: Provider,
    card: VirtualCard,
    presented_by: Person,
    basis: str,
    now: dt.datetime,
    address: str | None,
    **detail: Any,
) -> CardRead:
    enrolment = selectors.current_enrolment(card.person, timezone.localdate(now))
    record(
        action=Action.VCARD_VERIFIED,
        person=card.person,
        actor=Actor.PROVIDER,
        actor_id=provider.pk,
        address=address,
        basis=basis,
        presented_by=presented_by.pk,
        **detail,
    )
    ticket = signing.dumps({"c": card.pk, "p": provider.pk}, salt=PHOTO_SALT)
    return CardRead(card, enrolment, presented_by, basis, ticket, now)


def _refusal(token_id: int, now: dt.datetime) -> str:
    """Why a code `verifiable` refused was refused, in the order a provider is told."""
    used_at, expires_at = QrToken.objects.values_list("used_at", "expires_at").get(pk=token_id)
    if used_at is not None:
        return "qr_used"
    if expires_at <= now:
        return "qr_expired"  # replaced by a newer code
    return "authorisation_ended"


def verify_qr(*, provider: Provider, token: str, address: str | None = None) -> CardRead:
    """A provider scans a QR code: the first verification within 5 minutes reads the card
    and voids the code; any other is refused (expired, used, forged)."""
    try:
        signed = qr.open_token(token)
    except qr.QrInvalid:
        raise VcardError("qr_invalid") from None
    now = _now()
    if signed.expires_at <= now:
        raise VcardError("qr_expired")
    row = QrToken.objects.filter(jti=signed.jti).first()
    if row is None:
        raise VcardError("qr_invalid")
    with transaction.atomic():
        # The conditional update is the one gate: `verifiable` decides, and of two
        # concurrent scans one updates the row and the other waits for its lock, then
        # finds it used.
        won = QrToken.objects.filter(verifiable(now), pk=row.pk).update(
            used_at=now, used_by=provider
        )
        if not won:
            raise VcardError(_refusal(row.pk, now))
        card = VirtualCard.objects.select_related("person").get(person_id=row.person_id)
        read = _read(
            provider=provider,
            card=card,
            presented_by=(
                card.person
                if row.presented_by_id == row.person_id
                else Person.objects.get(pk=row.presented_by_id)
            ),
            basis=row.basis,
            now=now,
            address=address,
            qr=row.pk,
        )
        if row.basis == Kind.SPECIFIC:
            from healthbank.vcard import tasks

            transaction.on_commit(lambda: tasks.mail_owner_of_use.enqueue(row.pk))
    return read


PHOTO_SALT = "healthbank.vcard.photo"
PHOTO_TICKET_SECONDS = 600


def photo_for(provider: Provider, ticket: str) -> File[bytes]:
    """The card photo a verification just showed this provider (its ticket lasts 10 minutes)."""
    try:
        signed = signing.loads(ticket, salt=PHOTO_SALT, max_age=PHOTO_TICKET_SECONDS)
    except signing.BadSignature:
        raise VcardError("qr_invalid") from None
    if signed.get("p") != provider.pk:
        raise VcardError("qr_invalid")
    card = VirtualCard.objects.filter(pk=signed.get("c")).first()
    if card is None:
        raise VcardError("card_not_found")
    return images.open_photo(card.portrait_image)


# --- authorisations (授權與管理) ----------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _period(
    starts_on: dt.date, ends_on: dt.date, *, same_household: bool
) -> tuple[dt.datetime, dt.datetime]:
    today = timezone.localdate()
    if starts_on < today or ends_on < starts_on:
        raise VcardError("invalid_period")
    if not same_household:
        last = rules.one_month_after(starts_on)
        if ends_on > last:
            raise VcardError("period_outside_household", last=rocdate(last))
    elif (ends_on - starts_on).days >= rules.HOUSEHOLD_MAX_DAYS:
        raise VcardError("period_too_long")
    start = _now() if starts_on == today else _day_start(starts_on)
    return start, _day_start(ends_on + dt.timedelta(days=1))


def _own_card(person: Person) -> VirtualCard:
    card = selectors.card_of(person)
    if card is None:
        raise VcardError("no_card")
    return card


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed from another screen
CODE_PREFIX = "healthbank-authorise:"


def _code_digest(code: str) -> str:
    normal = re.sub(r"[\s-]", "", ascii_typed(code).removeprefix(CODE_PREFIX)).upper()
    return hashlib.sha256(normal.encode()).hexdigest()


def authorise_specific(
    *,
    grantor: Person,
    national_id: str,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    address: str | None = None,
) -> tuple[Authorisation, str]:
    """授權特定對象: the grantee named by ID and name; outside the household at most one
    month. Returns the authorisation and its code (shown once, as text and QR), which the
    grantee claims in their own app."""
    _own_card(grantor)
    grantee = Person.objects.filter(
        national_id=normalise(national_id or ""), name=(name or "").strip()
    ).first()
    if grantee is None:
        raise VcardError("grantee_unknown")
    if grantee.pk == grantor.pk:
        raise VcardError("grantee_self")
    same = grantor.household_id is not None and grantee.household_id == grantor.household_id
    starts_at, ends_at = _period(starts_on, ends_on, same_household=same)
    _refuse_second(grantor, grantee)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    authorisation = _grant(
        grantor,
        grantee,
        Kind.SPECIFIC,
        starts_at,
        ends_at,
        address,
        consent_by=min(_now() + rules.CLAIM_CODE_VALID, ends_at),
        claim_code_hash=_code_digest(code),
    )
    return authorisation, f"{code[:4]}-{code[4:]}"


def claim(*, grantee: Person, code: str, address: str | None = None) -> Authorisation:
    """取得授權: the named grantee types or scans the code; it works once."""
    with transaction.atomic():
        authorisation = (
            Authorisation.objects.select_for_update()
            .filter(kind=Kind.SPECIFIC, status=Status.PENDING, claim_code_hash=_code_digest(code))
            .first()
        )
        if (
            authorisation is None
            or authorisation.grantee_id != grantee.pk
            or (authorisation.consent_by is not None and authorisation.consent_by <= _now())
        ):
            raise VcardError("code_invalid")
        authorisation.status = Status.ACTIVE
        authorisation.agreed_at = _now()
        authorisation.claim_code_hash = ""
        authorisation.save(update_fields=["status", "agreed_at", "claim_code_hash"])
        _audit(authorisation, Action.VCARD_AGREED, grantee, address)
    return authorisation


def authorise_household(
    *,
    grantor: Person,
    grantee_id: int,
    starts_on: dt.date,
    ends_on: dt.date,
    address: str | None = None,
) -> Authorisation:
    """授權同一健保戶: a member of the grantor's household, who agrees within 10 minutes."""
    _own_card(grantor)
    grantee = selectors.household_member(grantor, grantee_id)
    starts_at, ends_at = _period(starts_on, ends_on, same_household=True)
    _refuse_second(grantor, grantee)
    return _grant(
        grantor,
        grantee,
        Kind.HOUSEHOLD,
        starts_at,
        ends_at,
        address,
        consent_by=_now() + rules.HOUSEHOLD_CONSENT,
    )


def _grant(
    grantor: Person,
    grantee: Person,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    address: str | None,
    **fields: Any,
) -> Authorisation:
    """A person's authorisation of another, waiting for them; audited under the grantor."""
    with transaction.atomic():
        authorisation = Authorisation.objects.create(
            grantor=grantor,
            grantee=grantee,
            kind=kind,
            status=Status.PENDING,
            starts_at=starts_at,
            ends_at=ends_at,
            **fields,
        )
        _audit(authorisation, Action.VCARD_AUTHORISED, grantor, address)
    return authorisation


def _refuse_second(grantor: Person, grantee: Person) -> None:
    """One authorisation of a person at a time: a second would only blur which dates hold."""
    now = _now()
    for existing in Authorisation.objects.filter(
        grantor=grantor, grantee=grantee, status__in=[Status.PENDING, Status.ACTIVE]
    ):
        if existing.state(now) in ("pending", "scheduled", "active"):
            raise VcardError("already_authorised")


def _answer(person: Person, authorisation_id: int) -> Authorisation:
    authorisation = selectors.answerable(person, authorisation_id)
    authorisation = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
    if authorisation.status != Status.PENDING:
        raise VcardError("not_pending")
    # As Authorisation.state: without an agree-by time a pending one never lapses.
    if authorisation.consent_by is not None and authorisation.consent_by <= _now():
        raise VcardError("lapsed")
    return authorisation


def agree(*, person: Person, authorisation_id: int, address: str | None = None) -> Authorisation:
    """同意: a household member accepts, or the person lets a clinic use their card for the
    next hour."""
    with transaction.atomic():
        authorisation = _answer(person, authorisation_id)
        now = _now()
        authorisation.status = Status.ACTIVE
        authorisation.agreed_at = now
        if authorisation.kind == Kind.CLINIC:
            authorisation.starts_at, authorisation.ends_at = now, now + rules.CLINIC_USE
        authorisation.save()
        _audit(authorisation, Action.VCARD_AGREED, person, address)
    return authorisation


def decline(*, person: Person, authorisation_id: int, address: str | None = None) -> Authorisation:
    with transaction.atomic():
        authorisation = _answer(person, authorisation_id)
        authorisation.status = Status.DECLINED
        authorisation.save(update_fields=["status"])
        _audit(authorisation, Action.VCARD_DECLINED, person, address)
    return authorisation


def revoke(*, person: Person, authorisation_id: int, address: str | None = None) -> Authorisation:
    """取消授權: by the card holder, or by the grantee giving it up; its QR codes die too."""
    with transaction.atomic():
        authorisation = selectors.revocable(person, authorisation_id)
        authorisation = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
        if authorisation.state(_now()) in ("ended", "revoked", "declined", "lapsed"):
            raise VcardError("already_ended")
        authorisation.status = Status.REVOKED
        authorisation.revoked_at = _now()
        authorisation.save(update_fields=["status", "revoked_at"])
        QrToken.objects.filter(authorisation=authorisation, used_at__isnull=True).update(
            expires_at=authorisation.revoked_at
        )
        _audit(authorisation, Action.VCARD_REVOKED, person, address)
    return authorisation


def _audit(authorisation: Authorisation, action: str, actor: Person, address: str | None) -> None:
    record(
        action=action,
        person=authorisation.grantor,
        actor_id=actor.pk,
        address=address,
        authorisation=authorisation.pk,
        kind=authorisation.kind,
        grantee=authorisation.grantee_id,
        provider=authorisation.provider_id,
    )


# --- a clinic's request (院所發送授權請求) -----------------------------------------------------


def _asked_for(national_id: str) -> str:
    """A clinic's request names a national ID; kept only as a keyed hash."""
    normal = (national_id or "").strip().upper()
    return salted_hmac("healthbank.vcard.clinic-request", normal).hexdigest()


def request_by_clinic(
    *, provider: Provider, national_id: str, address: str | None = None
) -> Authorisation:
    """A clinic asks to use someone's card; the person agrees in the app within 10 minutes.
    A request still waiting is returned rather than repeated.

    An ID that holds no card is asked the same way, with the same writes: the request simply
    lapses, as when the person does not answer, so the answer never tells a clinic who has a
    card (issue 18)."""
    if not accepts_card(provider):
        raise VcardError("not_accepting")
    asked_for = _asked_for(national_id)
    card = (
        VirtualCard.objects.select_related("person")
        .filter(person__national_id=normalise(national_id or ""))
        .first()
    )
    holder = card.person if card is not None else None
    now = _now()
    waiting = Authorisation.objects.filter(
        kind=Kind.CLINIC,
        provider=provider,
        asked_for=asked_for,
        status=Status.PENDING,
        consent_by__gt=now,
    ).first()
    if waiting is not None:
        return waiting
    with transaction.atomic():
        authorisation = Authorisation.objects.create(
            grantor=holder,
            provider=provider,
            kind=Kind.CLINIC,
            status=Status.PENDING,
            consent_by=now + rules.CLINIC_CONSENT,
            asked_for=asked_for,
        )
        record(
            action=Action.VCARD_REQUESTED,
            person=holder,
            actor=Actor.PROVIDER,
            actor_id=provider.pk,
            address=address,
            authorisation=authorisation.pk,
        )
    return authorisation


def clinic_request(*, provider: Provider, request_id: int) -> Authorisation:
    """One of the provider's own requests; another provider's id is not found."""
    found = (
        Authorisation.objects.select_related("grantor__virtual_card__person")
        .filter(kind=Kind.CLINIC, provider=provider, pk=request_id)
        .first()
    )
    if found is None:
        raise VcardError("card_not_found")
    return found


def use_by_clinic(
    *, provider: Provider, authorisation: Authorisation, address: str | None = None
) -> CardRead:
    """The clinic reads the card within the hour the person agreed to; each read audited."""
    now = _now()
    if authorisation.state(now) != "active":
        raise VcardError("request_not_usable")
    if authorisation.grantor is None:  # a clinic's request always names the person
        raise VcardError("request_not_usable")
    card = authorisation.grantor.virtual_card
    with transaction.atomic():
        return _read(
            provider=provider,
            card=card,
            presented_by=card.person,
            basis=Kind.CLINIC,
            now=now,
            address=address,
            authorisation=authorisation.pk,
        )
