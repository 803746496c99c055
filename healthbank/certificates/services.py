"""Issuing certificates and checking their codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

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
    now = timezone.now()
    today = timezone.localdate(now)
    facts = selectors.insurance_facts(
        person, language=language, with_dependants=with_dependants, today=today
    )
    if facts is None:
        raise CertificateRefused("not_insured")
    valid_until = rules.valid_until(today)
    facts["issued_on"] = selectors.printed_date(today, language)
    facts["valid_until"] = selectors.printed_date(valid_until, language)
    for _attempt in range(3):  # a repeated 100-bit code is not expected; the row refuses it
        code = new_code()
        pdf = signing.sign_pdf(
            documents.insurance_pdf(facts, code=code, language=language),
            reason="NHIA certificate of insurance / 全民健康保險投保證明",
        )
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    kind=Certificate.Kind.INSURANCE,
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
                    kind=certificate.kind,
                    language=language,
                    dependants=len(facts["dependants"]),
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
