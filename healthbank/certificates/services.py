"""Issuing certificates and checking their codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.audit.services import Action, record
from healthbank.certificates import documents, rules, selectors, signing
from healthbank.certificates.models import Certificate, VerifyMiss
from healthbank.people.models import Person


class CertificateRefused(Exception):
    MESSAGES = {
        "not_insured": _(
            "You are not insured now, so a certificate of insurance cannot be issued. Your "
            "enrolment history is on the insurance page of My Health Bank."
        ),
        "no_premiums": _(
            "No premiums were paid in your name in any year, so there is no certificate of "
            "premiums paid to issue. A dependant's premiums are paid by the insured person "
            "they are insured under, whose certificate lists them; the government pays the "
            "premiums of categories 4 and 5."
        ),
        "year_not_offered": _(
            "Choose one of the years listed: a certificate covers a year in which you paid "
            "premiums."
        ),
        "throttled": _(
            "Too many wrong codes were typed from your address. Wait 15 minutes and try again."
        ),
    }

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.code])


def new_code() -> str:
    """CODE_LENGTH characters from `secrets`: 100 bits."""
    return "".join(secrets.choice(rules.CODE_ALPHABET) for _ in range(rules.CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """What a person typed, as stored: no separators, upper case, Crockford's look-alikes."""
    text = "".join(ch for ch in typed.upper() if ch not in " -_.\t")
    return text.translate(str.maketrans("OIL", "011"))


def issue_insurance_certificate(
    *, person: Person, language: str, with_dependants: bool, address: str | None
) -> Certificate:
    """中英文投保證明: make, sign and keep a certificate of insurance; audited."""
    today = timezone.localdate()
    facts = selectors.insurance_facts(
        person, language=language, with_dependants=with_dependants, today=today
    )
    if facts is None:
        raise CertificateRefused("not_insured")
    return _issue(
        kind=Certificate.Kind.INSURANCE,
        person=person,
        language=language,
        facts=facts,
        address=address,
        dependants=len(facts["dependants"]),
    )


def issue_premiums_certificate(
    *, person: Person, year: int, language: str, address: str | None
) -> Certificate:
    """保險費繳納證明: the premiums the person paid in `year` (for the insured and the
    dependants insured under them), signed and kept; audited. Only a year in which the
    person paid premiums can be certified."""
    years = selectors.premium_years(person)
    if not years:
        raise CertificateRefused("no_premiums")
    if year not in years:
        raise CertificateRefused("year_not_offered")
    facts = selectors.premiums_facts(person, year=year, language=language)
    if facts is None:  # paid in a year listed a moment ago, refunded since
        raise CertificateRefused("year_not_offered")
    return _issue(
        kind=Certificate.Kind.PREMIUMS,
        person=person,
        language=language,
        facts=facts,
        address=address,
        year=year,
        payments=len(facts["payments"]),
    )


_REASONS: dict[str, str] = {
    Certificate.Kind.INSURANCE: "NHIA certificate of insurance / 全民健康保險投保證明",
    Certificate.Kind.PREMIUMS: "NHIA certificate of premiums paid / 全民健康保險保險費繳納證明",
}


def _issue(
    *,
    kind: str,
    person: Person,
    language: str,
    facts: selectors.Facts,
    address: str | None,
    **detail: Any,
) -> Certificate:
    """Date, render, sign and keep a certificate whose facts are read; audited."""
    now = timezone.now()
    today = timezone.localdate(now)
    valid_until = rules.valid_until(today)
    facts["issued_on"] = selectors.printed_date(today, language)
    facts["valid_until"] = selectors.printed_date(valid_until, language)
    for _attempt in range(3):  # a repeated 100-bit code is not expected; the row refuses it
        code = new_code()
        pdf = signing.sign_pdf(
            documents.certificate_pdf(kind, facts, code=code, language=language),
            reason=_REASONS[kind],
        )
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    kind=kind,
                    person=person,
                    language=language,
                    issued_at=now,
                    valid_until=valid_until,
                    code=code,
                    facts=facts,
                    pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                    pdf=pdf,
                )
                record(
                    action=Action.CERTIFICATE_ISSUED,
                    person=person,
                    address=address,
                    certificate_id=certificate.pk,
                    kind=kind,
                    language=language,
                    **detail,
                )
        except IntegrityError:
            continue
        return certificate
    raise RuntimeError("no unused verification code in three draws")


def _throttled(address: str | None, now: dt.datetime) -> bool:
    if not address:
        return False
    since = now - rules.VERIFY_WINDOW
    misses = VerifyMiss.objects.filter(address=address, at__gte=since).count()
    return misses >= rules.VERIFY_MISSES_PER_ADDRESS


def check_code(*, typed: str, address: str | None) -> Certificate | None:
    """The certificate a typed or scanned code names, or None; an address with too many
    misses lately is refused (CertificateRefused("throttled")) before any lookup."""
    if _throttled(address, timezone.now()):
        raise CertificateRefused("throttled")
    code = normalise_code(typed)
    found = selectors.certificate_by_code(code) if len(code) == rules.CODE_LENGTH else None
    if found is None and address:
        VerifyMiss.objects.create(address=address)
    return found
