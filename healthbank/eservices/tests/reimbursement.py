"""Making a reimbursement claim's files and staff for the tests (and the browser test)."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth.models import Permission, User
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from healthbank.eservices import services
from healthbank.eservices.models import ClaimDocument, ReimbursementClaim
from healthbank.external.models import BankAccount
from healthbank.people.models import Person

ACCOUNT = "00123456789012"


def receipt_jpeg(size=(900, 1200), color="white") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


def pdf(pages: int = 1, *, password: str = "", javascript: str = "") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if javascript:  # a link whose action runs a script, deep in the first page
        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject(javascript),
            }
        )
        link = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 100, 100)]),
                NameObject("/A"): writer._add_object(action),
            }
        )
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def bank_account(person: Person, *, status=BankAccount.Status.OPEN) -> BankAccount:
    return BankAccount.objects.create(
        bank_code="004",
        number=ACCOUNT,
        holder_national_id=person.national_id,
        holder_name=person.name,
        balance=1000,
        status=status,
    )


def claim_for(person: Person, amount: int = 12_000, **changes) -> ReimbursementClaim:
    today = timezone.localdate()
    fields = {
        "person": person,
        "care_kind": ReimbursementClaim.CareKind.ABROAD,
        "place": "日本",
        "care_from": today - dt.timedelta(days=20),
        "care_until": today - dt.timedelta(days=18),
        "amount": amount,
        "bank_code": "004",
        "bank_account": ACCOUNT,
        "uploads": [
            services.Upload(ClaimDocument.Kind.RECEIPT, "receipt.jpg", receipt_jpeg()),
            services.Upload(ClaimDocument.Kind.CERTIFICATE, "certificate.pdf", pdf(2)),
        ],
    } | changes
    return services.apply_reimbursement(**fields)


def claim_staff(username: str, password: str | None = None) -> User:
    user = User.objects.create_user(username, password=password, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="eservices",
            codename__in=["view_reimbursementclaim", "change_reimbursementclaim"],
        )
    )
    return user
