"""The billing e-services' PDFs: payment slips and e-bills, the transfer and supplementary
premium statements, and notices. Each is built from rows the selectors gave."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import QuerySet

from healthbank.billing import rules
from healthbank.billing.models import (
    DeliveryCycle,
    DeliveryMethod,
    InstalmentPart,
    Notice,
    SupplementaryBill,
)
from healthbank.billing.selectors import UnpaidBill
from healthbank.billing.slips import Slip, slip_deadline, slip_number
from healthbank.core.pdf import render_pdf
from healthbank.external.bank import REASONS
from healthbank.people.models import Person, PremiumBill, PremiumPayment


def _person(person: Person) -> dict:
    return {"name": person.name, "masked_id": person.masked_id}


def bills_slip_pdf(
    person: Person,
    unpaid: Sequence[UnpaidBill],
    *,
    today: dt.date,
    language: str,
    together: bool,
) -> bytes:
    """One slip for one bill, or one slip for all the given bills together."""
    amount = sum(u.owed for u in unpaid)
    kind, key = (
        (rules.VIRTUAL_ACCOUNT_KIND_ALL, person.pk)
        if together
        else (rules.VIRTUAL_ACCOUNT_KIND_BILL, unpaid[0].bill.pk)
    )
    slip = Slip(
        number=slip_number(kind, key),
        month=max(u.bill.month for u in unpaid),
        amount=amount,
        deadline=slip_deadline(min(u.bill.due_date for u in unpaid), today),
    )
    context = {"person": _person(person), "rows": unpaid, "slip": slip, "today": today}
    return render_pdf("billing/pdf/slip.html", context, language=language)


def ebill_pdf(
    person: Person, bill: PremiumBill, paid: int, *, today: dt.date, language: str
) -> bytes:
    """This month's e-bill (電子繳款單): the bill, and its slip while something is owed."""
    owed = bill.amount - paid
    slip = Slip(
        number=slip_number(rules.VIRTUAL_ACCOUNT_KIND_BILL, bill.pk),
        month=bill.month,
        amount=owed,
        deadline=slip_deadline(bill.due_date, today),
    )
    context = {
        "person": _person(person),
        "rows": [UnpaidBill(bill, paid, today)],
        "slip": slip if owed > 0 else None,
        "ebill": True,
        "today": today,
    }
    return render_pdf("billing/pdf/slip.html", context, language=language)


def part_slip_pdf(person: Person, part: InstalmentPart, *, today: dt.date, language: str) -> bytes:
    slip = Slip(
        number=slip_number(rules.VIRTUAL_ACCOUNT_KIND_PART, part.pk),
        month=part.due_date.replace(day=1),
        amount=part.amount,
        deadline=slip_deadline(part.due_date, today),
    )
    context = {"person": _person(person), "part": part, "slip": slip, "today": today}
    return render_pdf("billing/pdf/slip.html", context, language=language)


def supplementary_slip_pdf(
    person: Person, bill: SupplementaryBill, *, today: dt.date, language: str
) -> bytes:
    slip = Slip(
        number=slip_number(rules.VIRTUAL_ACCOUNT_KIND_SUPPLEMENTARY, bill.pk),
        month=bill.issued_on.replace(day=1),
        amount=bill.amount,
        deadline=slip_deadline(bill.due_date, today),
    )
    context = {
        "person": _person(person),
        "supplementary": bill,
        "rate": f"{rules.SUPPLEMENTARY_RATE * 100:.2f}%",
        "slip": None if bill.paid_on else slip,
        "today": today,
    }
    return render_pdf("billing/pdf/slip.html", context, language=language)


def statement_pdf(
    person: Person,
    *,
    year: int,
    transfers: QuerySet[PremiumPayment],
    supplementary: QuerySet[SupplementaryBill],
    today: dt.date,
    language: str,
) -> bytes:
    """轉帳繳納保費、股利利息繳款單明細表: the year's bank transfers and the supplementary
    premium bills."""
    transfers_list = list(transfers)
    context = {
        "person": _person(person),
        "year": year,
        "transfers": transfers_list,
        "transfers_total": sum(p.amount for p in transfers_list),
        "supplementary": list(supplementary),
        "rate": f"{rules.SUPPLEMENTARY_RATE * 100:.2f}%",
        "today": today,
    }
    return render_pdf("billing/pdf/statement.html", context, language=language)


def notice_pdf(person: Person, notice: Notice, *, language: str) -> bytes:
    context = {"person": _person(person), "notice": notice, "facts": notice_facts(notice)}
    return render_pdf("billing/pdf/notice.html", context, language=language)


def notice_facts(notice: Notice) -> dict:
    """The notice's facts with their dates as dates, for the templates."""
    facts = dict(notice.facts)
    for months in ("months", "bills_removed", "bills_added"):
        if months in facts:
            facts[months] = [dt.date.fromisoformat(m) for m in facts[months]]
    if "parts" in facts:
        facts["parts"] = [
            {"number": n, "due_date": dt.date.fromisoformat(d), "amount": a}
            for n, d, a in facts["parts"]
        ]
    if "method" in facts:
        facts["method_label"] = DeliveryMethod(facts["method"]).label
        facts["cycle_label"] = DeliveryCycle(facts["cycle"]).label
    for day in ("issued_on", "reported_on", "effective_date"):
        if day in facts:
            facts[day] = dt.date.fromisoformat(facts[day])
    if "reason_code" in facts:
        facts["reason"] = REASONS.get(facts["reason_code"], "")
    if facts.get("bank_refusal"):
        facts["bank_reason"] = REASONS.get(facts["bank_refusal"], "")
    return facts
