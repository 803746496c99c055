"""The billing e-services' synthetic data, for the people one seeding made: reminders of
unpaid premiums, bill delivery choices, supplementary premium bills on dividends and
interest, and notices of replacement NHI cards; and the personas' (README): 黃冠宇 stopped
paying five months ago and was reminded, 陳志明 gets e-bills, 李建宏 has supplementary
premium bills."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from healthbank.billing import rules
from healthbank.billing.models import (
    BillDelivery,
    DeliveryChoice,
    Notice,
    SupplementaryBill,
)
from healthbank.people.models import CardIssuance, Person, PremiumBill, PremiumPayment

BATCH = 2000
ARREARS_PERSONA = "B123456780"  # 黃冠宇
ARREARS_MONTHS = 5  # his months past due and unpaid
EBILL_PERSONA = "A123456789"  # 陳志明
SUPPLEMENTARY_PERSONA = "H123456786"  # 李建宏
PERSONAS = {ARREARS_PERSONA, EBILL_PERSONA, SUPPLEMENTARY_PERSONA}
PAYERS = (
    "臺灣積體電路製造股份有限公司",
    "中華電信股份有限公司",
    "國泰金融控股股份有限公司",
    "富邦金融控股股份有限公司",
    "統一企業股份有限公司",
    "兆豐國際商業銀行",
    "台灣中小企業銀行",
)
DELIVERY_SHARE = 0.15  # of the people billed in person (categories 2, 3 and 6)
SUPPLEMENTARY_SHARE = 0.04  # of adults


def add_billing(seed: int, today: dt.date, created_at: dt.datetime) -> None:
    """Billing rows for the people created at `created_at` (one seeding's)."""
    rng = random.Random(f"{seed}:billing")
    people = list(
        Person.objects.filter(created_at=created_at)
        .order_by("pk")
        .values_list("pk", "national_id", "email", "birth_date")
    )
    if not people:
        return
    ids = {national_id: pk for pk, national_id, _, _ in people}
    with transaction.atomic():
        if ARREARS_PERSONA in ids:
            _stop_paying(ids[ARREARS_PERSONA], today)
        _arrears_notices(created_at, today)
        _deliveries(rng, people, created_at, today)
        _supplementary(rng, people, today)
        _card_notices(created_at)


def _stop_paying(person_id: int, today: dt.date) -> None:
    """The persona's last months past due, unpaid."""
    months = list(
        PremiumBill.objects.filter(person_id=person_id, due_date__lt=today, amount__gt=0)
        .order_by("-month")
        .values_list("pk", flat=True)[:ARREARS_MONTHS]
    )
    PremiumPayment.objects.filter(bill_id__in=months).delete()


def _arrears_notices(created_at: dt.datetime, today: dt.date) -> None:
    """One reminder each for the people with premiums past due and unpaid, sent at the start
    of this month."""
    unpaid = (
        PremiumBill.objects.filter(person__created_at=created_at, due_date__lt=today, amount__gt=0)
        .filter(~Exists(PremiumPayment.objects.filter(bill=OuterRef("pk"))))
        .order_by("person_id", "month")
        .values_list("person_id", "month", "amount")
    )
    owed: dict[int, list[tuple[dt.date, int]]] = {}
    for person_id, month, amount in unpaid:
        owed.setdefault(person_id, []).append((month, amount))
    sent = today.replace(day=1)
    Notice.objects.bulk_create(
        _addressed(
            Notice(
                person_id=person_id,
                kind=Notice.Kind.ARREARS,
                sent_on=sent,
                channel=Notice.Channel.POST,
                subject=_months(rows),
                facts={
                    "total": sum(a for _, a in rows),
                    "months": [m.isoformat() for m, _ in rows],
                },
            )
            for person_id, rows in owed.items()
        ),
        batch_size=BATCH,
    )


def _months(rows: list[tuple[dt.date, int]]) -> str:
    first, last = rows[0][0], rows[-1][0]
    return f"{first:%Y-%m}" if first == last else f"{first:%Y-%m}–{last:%Y-%m}"


def _deliveries(rng: random.Random, people: list, created_at: dt.datetime, today: dt.date) -> None:
    """Some of the people billed in person chose e-mail or e-bills, some every two months."""
    in_person = set(
        PremiumBill.objects.filter(person__created_at=created_at, category__in=(2, 3, 6))
        .values_list("person_id", flat=True)
        .distinct()
    )
    at = timezone.make_aware(dt.datetime.combine(today.replace(day=1), dt.time(9)))
    rows, notices = [], []
    for pk, national_id, email, _birth in people:
        if national_id in PERSONAS:
            if national_id != EBILL_PERSONA:
                continue
            method, cycle, address = "ebill", "monthly", email or "chen.zhiming@example.com"
        elif pk in in_person and rng.random() < DELIVERY_SHARE:
            method = rng.choice(("email", "ebill", "post")) if email else "post"
            cycle = rng.choice(("monthly", "monthly", "bimonthly"))
            address = email if method != "post" else ""
        else:
            continue
        chosen = at - dt.timedelta(days=rng.randint(30, 700))
        rows.append(
            BillDelivery(
                person_id=pk,
                method=method,
                cycle=cycle,
                email=address,
                chosen_at=chosen,
                chosen_by=DeliveryChoice.PERSON,
            )
        )
        if method == "ebill":
            notices.append(
                Notice(
                    person_id=pk,
                    kind=Notice.Kind.EBILL,
                    sent_on=timezone.localdate(chosen),
                    channel=Notice.Channel.EMAIL,
                    subject=f"{timezone.localdate(chosen):%Y-%m-%d}",
                    facts={"method": method, "cycle": cycle, "email": address},
                )
            )
    BillDelivery.objects.bulk_create(rows, batch_size=BATCH)
    Notice.objects.bulk_create(_addressed(notices), batch_size=BATCH)


def _supplementary_premium(paid_out: int) -> int:
    base = min(paid_out, rules.SUPPLEMENTARY_CEILING)
    return int((Decimal(base) * rules.SUPPLEMENTARY_RATE).quantize(Decimal(1), ROUND_HALF_UP))


def _supplementary(rng: random.Random, people: list, today: dt.date) -> None:
    """Dividends or interest paid without the premium withheld, billed in the following
    year's summer (seed 000: 寄發股利及利息所得補充保險費繳款單, June to September)."""
    bills, notices = [], []
    for pk, national_id, _email, birth in people:
        adult = (today - birth).days >= 20 * 365
        if national_id in PERSONAS:
            if national_id != SUPPLEMENTARY_PERSONA:
                continue
            count = 2
        elif adult and rng.random() < SUPPLEMENTARY_SHARE:
            count = rng.randint(1, 2)
        else:
            continue
        for n in range(count):
            income_year = today.year - 1 - n
            issued = dt.date(income_year + 1, rng.randint(6, 9), rng.randint(1, 28))
            if issued > today:
                issued = today - dt.timedelta(days=rng.randint(10, 60))
            due = (issued.replace(day=1) + dt.timedelta(days=62)).replace(day=1) - dt.timedelta(
                days=1
            )
            paid_out = rng.randrange(rules.SUPPLEMENTARY_THRESHOLD, 400_000, 100)
            unpaid = n == 0 and (national_id == SUPPLEMENTARY_PERSONA or rng.random() < 0.2)
            paid_on = None if unpaid else min(today, due - dt.timedelta(days=rng.randint(0, 20)))
            amount = _supplementary_premium(paid_out)
            bills.append(
                SupplementaryBill(
                    person_id=pk,
                    income_year=income_year,
                    income=rng.choice(("dividend", "interest")),
                    payer=rng.choice(PAYERS),
                    paid_out=paid_out,
                    amount=amount,
                    issued_on=issued,
                    due_date=due,
                    paid_on=paid_on,
                )
            )
            notices.append(
                Notice(
                    person_id=pk,
                    kind=Notice.Kind.SUPPLEMENTARY,
                    sent_on=issued,
                    channel=Notice.Channel.POST,
                    subject=str(income_year),
                    facts={"income_year": income_year, "amount": amount},
                )
            )
    SupplementaryBill.objects.bulk_create(bills, batch_size=BATCH)
    Notice.objects.bulk_create(_addressed(notices), batch_size=BATCH)


def _card_notices(created_at: dt.datetime) -> None:
    """A notice of each replacement card (lost, damaged, new photo) NHIA mailed."""
    issued = CardIssuance.objects.filter(person__created_at=created_at).exclude(
        reason=CardIssuance.Reason.FIRST
    )
    Notice.objects.bulk_create(
        _addressed(
            Notice(
                person_id=person_id,
                kind=Notice.Kind.CARD,
                sent_on=issued_on,
                channel=Notice.Channel.POST,
                subject=f"{issued_on:%Y-%m-%d}",
                facts={"issued_on": issued_on.isoformat()},
            )
            for person_id, issued_on in issued.values_list("person_id", "issued_on")
        ),
        batch_size=BATCH,
    )


def _addressed(notices: Iterable[Notice]) -> list[Notice]:
    """The notices with the registered address each was posted to, as send_notice keeps it
    (the synthetic people have no mailing address): one query per BATCH people."""
    rows = list(notices)
    ids = sorted({n.person_id for n in rows})
    addresses: dict[int, str] = {}
    for start in range(0, len(ids), BATCH):
        found = Person.objects.filter(pk__in=ids[start : start + BATCH], household__isnull=False)
        for pk, code, county, township, village, neighbourhood, street in found.values_list(
            "pk",
            "household__village__township__postal_code",
            "household__village__township__county__name_zh",
            "household__village__township__name_zh",
            "household__village__name_zh",
            "household__neighbourhood",
            "household__street_address",
        ):
            addresses[pk] = f"{code} {county}{township}{village}{neighbourhood}鄰{street}".strip()
    for notice in rows:
        if notice.person_id in addresses:
            notice.facts = notice.facts | {"postal_address": addresses[notice.person_id]}
    return rows
