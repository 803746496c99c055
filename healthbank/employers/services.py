"""Every write of the employers app: unit sign-ins and batch registration uploads.

An upload is refused as a whole (FileRefused, nothing written) or processed row by row in
one transaction: each row is accepted (the person is registered and mailed a confirmation
link by identity.services.register_for_unit) or refused with a reason. The unit's contact
then gets the result file by e-mail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.core import phones
from healthbank.core.meta import model_field
from healthbank.employers import csvfile, rules
from healthbank.employers.csvfile import FileRefused, Row
from healthbank.employers.models import Batch, BatchRow, UnitLogin
from healthbank.external.mail import send_bilingual
from healthbank.identity import lockout
from healthbank.identity.lockout import LoginRefused
from healthbank.identity.models import Account
from healthbank.identity.services import IdentityError, register_for_unit
from healthbank.people.identifiers import validate_personal_id
from healthbank.people.models import Enrolment, InsuredUnit, Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = [
    "FileRefused",
    "LoginRefused",
    "authenticate_unit",
    "create_unit_login",
    "upload_batch",
]

Result = BatchRow.Result

DEMO_PERSONA_ID = "A123456789"  # 陳志明 (healthbank/synth/personas.py)
DEMO_UNIT_PASSWORD = "healthbank-demo"  # noqa: S105 (README: the demo unit's sign-in)


# --- sign-in --------------------------------------------------------------------------------


@transaction.atomic
def create_unit_login(unit: InsuredUnit, password: str) -> UnitLogin:
    """A sign-in for the unit's pages; the password is hashed by Django (Argon2)."""
    user = get_user_model()(username=f"unit-{unit.code}")
    user.set_password(password)
    user.save()
    return UnitLogin.objects.create(unit=unit, user=user)


def authenticate_unit(*, code: str, password: str, address: str | None = None) -> UnitLogin:
    """The unit's sign-in if the code and password match, or LoginRefused: "invalid" tells
    nothing more (a wrong code, a wrong password, or a locked sign-in whatever the password),
    "throttled" that this address failed too often lately. Wrong passwords lock the sign-in
    as a person's do (identity.lockout), audited with the unit as actor."""
    login = (
        UnitLogin.objects.select_related("unit", "user")
        .filter(unit__code=code.strip(), user__is_active=True)
        .first()
    )
    lockout.check_password(
        user=login.user if login else None,
        password=password,
        actor=AuditEvent.Actor.UNIT,
        actor_id=login.unit_id if login else None,
        address=address,
    )
    if login is None:  # check_password has refused it already
        raise lockout.LoginRefused("invalid")
    lockout.signed_in(
        user=login.user,
        actor=AuditEvent.Actor.UNIT,
        actor_id=login.unit_id,
        method=AuditEvent.Method.PASSWORD,
        address=address,
    )
    return login


def ensure_demo_unit_login() -> tuple[str, str] | None:
    """The demo's unit sign-in: 陳志明's employer, with DEMO_UNIT_PASSWORD unless the unit
    already has a sign-in. (unit code, password), or None before the personas are seeded."""
    enrolment = (
        Enrolment.objects.select_related("unit")
        .filter(
            person__national_id=DEMO_PERSONA_ID,
            role=Enrolment.Role.INSURED,
            status=Enrolment.Status.ACTIVE,
        )
        .first()
    )
    if enrolment is None:
        return None
    unit = enrolment.unit
    if not UnitLogin.objects.filter(unit=unit).exists():
        create_unit_login(unit, DEMO_UNIT_PASSWORD)
    return unit.code, DEMO_UNIT_PASSWORD


# --- batch registration ----------------------------------------------------------------------

_EMAIL = EmailValidator()


def _format_problem(row: Row) -> Result | None:
    """The first thing wrong with the row's own columns, in column order."""
    if not row.national_id:
        return Result.ID_MISSING
    try:
        validate_personal_id(row.national_id)
    except ValidationError as exc:
        return Result.ID_CHECKSUM if exc.code == "checksum" else Result.ID_INVALID
    if not row.email:
        return Result.EMAIL_MISSING
    try:
        _EMAIL(row.email)
    except ValidationError:
        return Result.EMAIL_INVALID
    # Mobile and phone: written in any of the ways the online form takes (core.phones).
    if not phones.is_valid(row.mobile, "mobile"):
        return Result.MOBILE_INVALID
    if not phones.is_valid(row.phone, "phone"):
        return Result.PHONE_INVALID
    return None


def _people_insured_here(unit: InsuredUnit, national_ids: Iterable[str]) -> dict[str, Person]:
    """Those of these IDs covered now through the unit, as insured or as dependants."""
    people = Person.objects.filter(
        national_id__in=set(national_ids),
        enrolments__unit=unit,
        enrolments__status=Enrolment.Status.ACTIVE,
    ).distinct()
    return {person.national_id: person for person in people}


def _registered(people: Iterable[Person]) -> set[int]:
    """Ids of those of these people registered already (or suspended: still registered)."""
    return set(
        Account.objects.filter(
            person__in=list(people),
            status__in=(Account.Status.ACTIVE, Account.Status.SUSPENDED),
        ).values_list("person_id", flat=True)
    )


def _batch_row(batch: Batch, row: Row, result: str, **params: object) -> BatchRow:
    def cut(value: str, field: str) -> str:
        return value[: model_field(BatchRow, field).max_length]

    return BatchRow(
        batch=batch,
        line=row.line,
        national_id=cut(row.national_id, "national_id"),
        email=cut(row.email, "email"),
        mobile=cut(row.mobile, "mobile"),
        phone=cut(row.phone, "phone"),
        result=result,
        params=params,
    )


def _process(batch: Batch, rows: list[Row]) -> list[BatchRow]:
    checked: list[tuple[Row, str, dict[str, object]]] = []
    first_line: dict[str, int] = {}
    for row in rows:
        problem = _format_problem(row)
        if problem is None and row.national_id in first_line:
            checked.append((row, Result.DUPLICATE, {"first_line": first_line[row.national_id]}))
        elif problem is not None:
            checked.append((row, problem, {}))
        else:
            first_line[row.national_id] = row.line
            checked.append((row, Result.ACCEPTED, {}))
    people = _people_insured_here(batch.unit, first_line)
    registered = _registered(people.values())
    results = []
    for row, result, params in checked:
        if result == Result.ACCEPTED:
            person = people.get(row.national_id)
            if person is None:
                result = Result.NOT_INSURED
            elif person.pk in registered:
                result = Result.ALREADY_REGISTERED
            else:
                try:
                    register_for_unit(
                        person=person,
                        unit=batch.unit,
                        email=row.email,
                        mobile=phones.canonical(row.mobile, "mobile"),
                        phone=phones.canonical(row.phone, "phone"),
                    )
                except IdentityError as exc:  # registered since the check above
                    if exc.code != "already_registered":
                        raise
                    result = Result.ALREADY_REGISTERED
        results.append(_batch_row(batch, row, result, **params))
    return results


def upload_batch(
    *,
    unit: InsuredUnit,
    file_name: str,
    data: bytes,
    contact_name: str,
    contact_email: str,
    uploaded_by: User | None = None,
    today: dt.date | None = None,
) -> Batch:
    """健保卡註冊申請整批資料上傳: register the file's people, keep each row's result, mail
    the result file to the contact. FileRefused (nothing written) if the file is unusable."""
    today = today or timezone.localdate()
    file_name = csvfile.check_name(file_name, unit_code=unit.code, today=today)
    rows = csvfile.read_rows(data)
    with transaction.atomic():
        batch = Batch.objects.create(
            unit=unit,
            file_name=file_name,
            uploaded_by=uploaded_by,
            contact_name=contact_name,
            contact_email=contact_email,
        )
        results = BatchRow.objects.bulk_create(_process(batch, rows))
        batch.row_count = len(results)
        batch.accepted_count = sum(row.is_accepted for row in results)
        batch.refused_count = batch.row_count - batch.accepted_count
        batch.save(update_fields=["row_count", "accepted_count", "refused_count"])
    mail_result(batch, results)
    return batch


def mail_result(batch: Batch, rows: list[BatchRow]) -> None:
    """Seed 000 "查詢進度" 方法一: the contact is e-mailed the result file."""
    send_bilingual(
        "employers/mail/batch_result",
        to=[batch.contact_email],
        context={"batch": batch, "unit": batch.unit, "max_rows": rules.MAX_ROWS},
        attachments=[(batch.result_file_name, csvfile.result_file(rows), "text/csv")],
    )
