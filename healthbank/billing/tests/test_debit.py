"""保險費單次約定轉帳: the bank is asked by the worker; paid marks the bills paid once, a
refusal shows the bank's reason and pays nothing; a bill is never in two debits at once;
bad input refused in both languages with nothing written; another person's debit is 404."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.billing import debits, selectors, services
from healthbank.billing.models import DebitedBill, DirectDebit, Notice
from healthbank.billing.services import BillingRefused
from healthbank.billing.tests.helpers import CHEN, HUANG, LEE, pdf_text, signed_in
from healthbank.core.numbers import grouped
from healthbank.external.models import BankAccount
from healthbank.people.models import PremiumPayment
from healthbank.synth.bank import PERSONA_ACCOUNTS
from healthbank.vcard.tests.helpers import run_tasks

DEBIT = reverse("billing:debit")
HUANG_BANK, HUANG_ACCOUNT, _ = PERSONA_ACCOUNTS[HUANG]
CHEN_BANK, CHEN_ACCOUNT, _ = PERSONA_ACCOUNTS[CHEN]


def owed(person):

    return selectors.debitable_bills(person, timezone.localdate())


def answered(capture) -> None:
    """The worker asks the bank; then the mail its answer enqueued goes out."""
    with capture(execute=True):
        run_tasks()
    run_tasks()


def balance(code: str, number: str) -> int:
    return BankAccount.objects.get(bank_code=code, number=number).balance


def requested(person, bills, capture, bank_code=HUANG_BANK, account=HUANG_ACCOUNT):
    with capture(execute=True):
        return services.request_debit(
            person=person,
            bill_ids=[u.bill.pk for u in bills],
            bank_code=bank_code,
            account_number=account,
        )


def test_a_paid_debit_pays_the_bill_once(huang, django_capture_on_commit_callbacks, mailoutbox):
    bills = owed(huang)
    assert len(bills) >= 5
    first = bills[0]
    before = balance(HUANG_BANK, HUANG_ACCOUNT)
    debit = requested(huang, [first], django_capture_on_commit_callbacks)
    assert debit.status == "requested" and debit.amount == first.owed
    assert debit.account_number == HUANG_ACCOUNT and debit.account_last4 == HUANG_ACCOUNT[-4:]
    assert first.bill.pk not in {u.bill.pk for u in owed(huang)}  # waiting: not offered again

    answered(django_capture_on_commit_callbacks)
    debit.refresh_from_db()
    assert debit.status == "paid" and debit.answered_at is not None
    assert debit.account_number == ""  # the bank has answered: only the last digits stay
    [payment] = PremiumPayment.objects.filter(bill=first.bill, method="bank")
    assert payment.amount == first.owed and payment.paid_on == timezone.localdate(debit.answered_at)
    assert balance(HUANG_BANK, HUANG_ACCOUNT) == before - first.owed
    assert first.bill.pk not in {u.bill.pk for u in owed(huang)}
    assert AuditEvent.objects.filter(person=huang, action="bank.debited").count() == 1
    notice = Notice.objects.get(person=huang, kind=Notice.Kind.DEBIT)
    assert notice.facts["paid"] and notice.facts["postal_address"]
    [mail] = [m for m in mailoutbox if debit.reference in m.body]
    assert "扣款成功" in mail.subject and "is paid" in mail.subject

    debits.answer_debit(debit_id=debit.pk)  # asked again (a retried task): nothing more
    assert PremiumPayment.objects.filter(bill=first.bill).count() == 1
    assert balance(HUANG_BANK, HUANG_ACCOUNT) == before - first.owed
    with pytest.raises(BillingRefused) as refused:
        requested(huang, [first], django_capture_on_commit_callbacks)
    assert refused.value.code == "not_debitable"


def test_a_refusal_keeps_the_bank_s_reason_and_pays_nothing(
    client, huang, django_capture_on_commit_callbacks, mailoutbox
):
    bills = owed(huang)
    payments = PremiumPayment.objects.count()
    before = balance(HUANG_BANK, HUANG_ACCOUNT)
    assert sum(u.owed for u in bills) > before  # his balance pays one month, not all
    debit = requested(huang, bills, django_capture_on_commit_callbacks)
    answered(django_capture_on_commit_callbacks)
    debit.refresh_from_db()
    assert (debit.status, debit.reason_code) == ("failed", "insufficient_funds")
    assert PremiumPayment.objects.count() == payments
    assert balance(HUANG_BANK, HUANG_ACCOUNT) == before
    assert not DebitedBill.objects.filter(debit=debit, pending=True).exists()
    assert len(owed(huang)) == len(bills)  # offered again
    assert AuditEvent.objects.filter(person=huang, action="bank.refused", success=False).exists()
    [mail] = [m for m in mailoutbox if debit.reference in m.body]
    assert "餘額不足" in mail.body and "balance is not enough" in mail.body
    signed_in(client, HUANG)
    page = client.get(reverse("billing:debit_status", args=[debit.pk])).content.decode()
    assert "扣款失敗" in page and "餘額不足" in page and 'http-equiv="refresh"' not in page
    signed_in(client, HUANG, "en")
    page = client.get(reverse("billing:debit_status", args=[debit.pk])).content.decode()
    assert "The account&#x27;s balance is not enough" in page


def test_someone_else_s_account_is_refused_by_the_bank(huang, django_capture_on_commit_callbacks):
    chen_before = balance(CHEN_BANK, CHEN_ACCOUNT)
    debit = requested(
        huang, owed(huang)[:1], django_capture_on_commit_callbacks, CHEN_BANK, CHEN_ACCOUNT
    )
    run_tasks()
    debit.refresh_from_db()
    assert (debit.status, debit.reason_code) == ("failed", "not_holder")
    assert balance(CHEN_BANK, CHEN_ACCOUNT) == chen_before


def test_a_bill_waiting_in_a_debit_cannot_be_debited_again(
    huang, django_capture_on_commit_callbacks
):
    first = owed(huang)[0]
    requested(huang, [first], django_capture_on_commit_callbacks)
    with pytest.raises(BillingRefused) as refused:
        requested(huang, [first], django_capture_on_commit_callbacks)
    assert refused.value.code == "already_debiting"
    assert DirectDebit.objects.filter(person=huang).count() == 1


def test_two_requests_racing_for_a_bill_one_is_refused_by_the_database(
    huang, django_capture_on_commit_callbacks, monkeypatch
):
    """The second request read the bills before the first was written (as two requests at
    once do): the database's constraint refuses it, and nothing of it is kept."""
    first = owed(huang)[0]
    requested(huang, [first], django_capture_on_commit_callbacks)
    monkeypatch.setattr(selectors, "pending_debit_bill_ids", lambda person: set())
    with pytest.raises(BillingRefused) as refused:
        requested(huang, [first], django_capture_on_commit_callbacks)
    assert refused.value.code == "already_debiting"
    assert DirectDebit.objects.filter(person=huang).count() == 1


def test_two_posts_of_the_page_debit_the_bill_once(
    client, huang, django_capture_on_commit_callbacks
):
    first = owed(huang)[0]
    signed_in(client, HUANG)
    data = {
        "bills": [first.bill.pk],
        "bank_code": HUANG_BANK,
        "account_number": HUANG_ACCOUNT,
        "agree": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(DEBIT, data).status_code == 302
        again = client.post(DEBIT, data)
    assert again.status_code == 400 and "扣款處理中" in again.content.decode()
    run_tasks()
    assert PremiumPayment.objects.filter(bill=first.bill, method="bank").count() == 1


def test_the_page_pays_and_the_debit_page_follows_it(
    client, huang, django_capture_on_commit_callbacks
):
    first = owed(huang)[0]
    signed_in(client, HUANG)
    page = client.get(DEBIT).content.decode()
    assert grouped(first.owed) in page and "國泰世華" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            DEBIT,
            {
                "bills": [str(first.bill.pk)],
                "bank_code": HUANG_BANK,
                "account_number": "１２３５-０３４５６７８９",  # full-width, as typed in Chinese
                "agree": "on",
            },
        )
    debit = DirectDebit.objects.get(person=huang)
    assert response["Location"] == reverse("billing:debit_status", args=[debit.pk])
    assert debit.account_number == HUANG_ACCOUNT
    waiting = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in waiting and "扣款處理中" in waiting
    assert HUANG_ACCOUNT not in waiting and HUANG_ACCOUNT[-4:] in waiting
    run_tasks()
    done = client.get(response["Location"]).content.decode()
    assert "已繳" in done and 'http-equiv="refresh"' not in done
    listing = client.get(DEBIT).content.decode()
    assert debit.reference in listing and HUANG_ACCOUNT not in listing
    notice = Notice.objects.get(person=huang, kind=Notice.Kind.DEBIT)
    text = pdf_text(client.get(reverse("billing:notices_pdf", args=[notice.pk])).content)
    assert "扣款成功" in text and grouped(first.owed) in text


def test_the_owner_sees_a_debit_and_another_person_gets_404(
    client, huang, django_capture_on_commit_callbacks
):
    debit = requested(huang, owed(huang)[:1], django_capture_on_commit_callbacks)
    url = reverse("billing:debit_status", args=[debit.pk])
    signed_in(client, HUANG)
    assert client.get(url).status_code == 200
    for other in (CHEN, LEE):
        signed_in(client, other)
        assert client.get(url).status_code == 404
        assert debit.reference not in client.get(DEBIT).content.decode()
    assert client.get(reverse("billing:debit_status", args=[999999])).status_code == 404


def _form(bill_pk, **changes):
    return {
        "bills": [str(bill_pk)],
        "bank_code": HUANG_BANK,
        "account_number": HUANG_ACCOUNT,
        "agree": "on",
    } | changes


CASES = {
    "no_bills": ({"bills": []}, "至少選擇", "at least one"),
    "bad_bill": ({"bills": ["x1"]}, "重新整理", "reload"),
    "no_such_bill": ({"bills": ["999999"]}, "重新整理", "reload"),
    "no_bank": ({"bank_code": ""}, "金融機構", "bank"),
    "bad_bank": ({"bank_code": "999"}, "金融機構", "bank"),
    "no_account": ({"account_number": ""}, "帳號", "account number"),
    "letters": ({"account_number": "12345abcde12"}, "帳號", "account number"),
    "short": ({"account_number": "123456789"}, "帳號", "account number"),
    "long": ({"account_number": "1" * 17}, "帳號", "account number"),
    "arabic_digits": ({"account_number": "١٢٣٤٥٦٧٨٩٠١٢"}, "帳號", "account number"),
    "not_agreed": ({"agree": ""}, "勾選同意", "agree"),
}


@pytest.mark.parametrize("language", ["zh-hant", "en"])
@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_in_both_languages_and_nothing_is_written(
    client, huang, case, language
):
    first = owed(huang)[0]
    changes, zh, en = CASES[case]
    signed_in(client, HUANG, language)
    response = client.post(DEBIT, _form(first.bill.pk, **changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert (zh if language == "zh-hant" else en) in page.lower()
    assert not DirectDebit.objects.exists() and not DebitedBill.objects.exists()
    assert not BankAccount.objects.filter(entries__isnull=False).exists()


def test_a_bill_of_another_person_cannot_be_debited(client, huang, chen):
    chen_bill = owed(chen)[0] if owed(chen) else None
    bill_pk = chen_bill.bill.pk if chen_bill else chen.premium_bills.first().pk
    signed_in(client, HUANG)
    response = client.post(DEBIT, _form(bill_pk))
    assert response.status_code == 400 and not DirectDebit.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_debit_the_bill_once(personas):
    """Two requests for the same bill at the same moment, each in its own connection: one
    debit is written, the other refused (the person's row lock, then the constraint)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from healthbank.people.models import Person

    huang = Person.objects.get(national_id=HUANG)
    bill_ids = [owed(huang)[0].bill.pk]
    start = threading.Barrier(2)

    def ask() -> str:
        try:
            start.wait()
            try:
                services.request_debit(
                    person=huang,
                    bill_ids=bill_ids,
                    bank_code=HUANG_BANK,
                    account_number=HUANG_ACCOUNT,
                )
            except BillingRefused as refused:
                return refused.code
            return "requested"
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(pool.map(lambda _: ask(), range(2)))
    assert answers == ["already_debiting", "requested"]
    assert DebitedBill.objects.filter(bill_id=bill_ids[0], pending=True).count() == 1


def test_the_list_of_debits_costs_the_same_queries_however_long(
    client, huang, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bills = owed(huang)
    signed_in(client, HUANG)
    requested(huang, bills[:1], django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as one:
        assert client.get(DEBIT).status_code == 200
    for u in bills[1:4]:
        requested(huang, [u], django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as four:
        page = client.get(DEBIT).content.decode()
    assert page.count("DD") >= 4
    assert len(four) == len(one)


# --- a debit and the other ways of paying a bill -------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hant", "銀行尚未回覆，因此不能申請分期"), ("en", "cannot be put in an instalment plan")],
)
def test_a_bill_waiting_in_a_debit_cannot_be_put_in_an_instalment_plan(
    client, huang, django_capture_on_commit_callbacks, language, expected
):

    from healthbank.billing.models import InstalmentPlan

    today = timezone.localdate()
    arrears = selectors.plannable_bills(huang, today)
    ids = [u.bill.pk for u in arrears]
    requested(huang, arrears[:1], django_capture_on_commit_callbacks)
    assert arrears[0].bill.pk not in {u.bill.pk for u in selectors.plannable_bills(huang, today)}
    with pytest.raises(BillingRefused) as refused:
        services.apply_instalments(person=huang, bill_ids=ids, count=2)
    assert refused.value.code == "debiting"
    signed_in(client, HUANG, language)
    response = client.post(reverse("billing:unpaid_instalments"), {"bills": ids, "count": 2})
    assert response.status_code == 400 and expected in response.content.decode()
    assert not InstalmentPlan.objects.filter(person=huang).exists()


def _slip(person, unpaid, amount=None):
    """A store slip paid the bill (or part of it) while the debit waited for the bank."""

    return PremiumPayment.objects.create(
        person=person,
        bill=unpaid.bill,
        paid_on=timezone.localdate(),
        amount=unpaid.owed if amount is None else amount,
        method=PremiumPayment.Method.STORE,
    )


def test_a_bill_paid_meanwhile_is_not_taken_again(
    client, huang, django_capture_on_commit_callbacks, mailoutbox
):
    first, second = owed(huang)[:2]
    before = balance(HUANG_BANK, HUANG_ACCOUNT)
    assert first.owed + second.owed > before >= second.owed  # one month, not two
    debit = requested(huang, [first, second], django_capture_on_commit_callbacks)
    _slip(huang, first)
    answered(django_capture_on_commit_callbacks)
    debit.refresh_from_db()
    assert (debit.status, debit.amount) == ("paid", second.owed)  # what was still owed
    assert balance(HUANG_BANK, HUANG_ACCOUNT) == before - second.owed
    assert not PremiumPayment.objects.filter(bill=first.bill, method="bank").exists()
    assert PremiumPayment.objects.get(bill=second.bill, method="bank").amount == second.owed
    assert dict(debit.bills.values_list("bill_id", "amount")) == {
        first.bill.pk: 0,
        second.bill.pk: second.owed,
    }
    [mail] = [m for m in mailoutbox if debit.reference in m.body]
    assert f"{second.bill.month:%Y-%m}" in mail.body
    assert f"{first.bill.month:%Y-%m}" not in mail.body


def test_a_bill_paid_in_part_meanwhile_is_debited_for_the_rest(
    huang, django_capture_on_commit_callbacks
):
    first = owed(huang)[0]
    before = balance(HUANG_BANK, HUANG_ACCOUNT)
    debit = requested(huang, [first], django_capture_on_commit_callbacks)
    _slip(huang, first, amount=100)
    answered(django_capture_on_commit_callbacks)
    debit.refresh_from_db()
    assert (debit.status, debit.amount) == ("paid", first.owed - 100)
    assert balance(HUANG_BANK, HUANG_ACCOUNT) == before - (first.owed - 100)
    assert selectors.paid_amount(huang, first.bill) == first.bill.amount  # paid, not more


def test_a_debit_whose_bills_were_all_paid_meanwhile_takes_nothing(
    client, huang, django_capture_on_commit_callbacks, mailoutbox
):
    from healthbank.external.models import BankEntry

    first = owed(huang)[0]
    before = balance(HUANG_BANK, HUANG_ACCOUNT)
    debit = requested(huang, [first], django_capture_on_commit_callbacks)
    _slip(huang, first)
    answered(django_capture_on_commit_callbacks)
    debit.refresh_from_db()
    assert (debit.status, debit.amount) == ("cancelled", 0)
    assert balance(HUANG_BANK, HUANG_ACCOUNT) == before
    assert not BankEntry.objects.filter(reference=debit.reference).exists()
    assert selectors.paid_amount(huang, first.bill) == first.bill.amount
    assert not DebitedBill.objects.filter(debit=debit, pending=True).exists()
    [mail] = [m for m in mailoutbox if debit.reference in m.body]
    assert "免予扣款" in mail.body and "was not needed" in mail.body
    assert f"{first.bill.month:%Y-%m}" in mail.body
    signed_in(client, HUANG)
    page = client.get(reverse("billing:debit_status", args=[debit.pk])).content.decode()
    assert "已以其他方式繳納" in page and "扣款失敗" not in page
    signed_in(client, HUANG, "en")
    page = client.get(reverse("billing:debit_status", args=[debit.pk])).content.decode()
    assert "paid another way before your bank was asked" in page
    notice = Notice.objects.get(person=huang, kind=Notice.Kind.DEBIT)
    assert notice.facts["cancelled"] and not notice.facts["paid"]
    assert notice.facts["months"] == [first.bill.month.isoformat()]
    pdf = client.get(reverse("billing:notices_pdf", args=[notice.pk]))
    assert "not needed" in " ".join(pdf_text(pdf.content).split())


def test_a_bill_put_in_a_plan_meanwhile_is_left_to_the_plan(
    huang, django_capture_on_commit_callbacks
):
    from healthbank.billing.models import InstalmentPlan, PlannedBill

    first, second = owed(huang)[:2]
    before = balance(HUANG_BANK, HUANG_ACCOUNT)
    debit = requested(huang, [first, second], django_capture_on_commit_callbacks)
    plan = InstalmentPlan.objects.create(  # by a counter clerk, say: not through this site
        person=huang,
        applied_at=debit.requested_at,
        arrears=first.owed,
        instalments=2,
        status=InstalmentPlan.Status.ACTIVE,
    )
    PlannedBill.objects.create(plan=plan, bill=first.bill, amount=first.owed)
    answered(django_capture_on_commit_callbacks)
    debit.refresh_from_db()
    assert (debit.status, debit.amount) == ("paid", second.owed)
    assert balance(HUANG_BANK, HUANG_ACCOUNT) == before - second.owed
    assert not PremiumPayment.objects.filter(bill=first.bill, method="bank").exists()


@pytest.mark.parametrize("account", ["12ab5678901", "１２３４５６７８９０１", "123", "1" * 17, ""])
def test_a_bad_account_number_sent_to_the_service_is_refused_in_both_languages(
    huang, django_capture_on_commit_callbacks, account
):
    from django.utils import translation

    with pytest.raises(BillingRefused) as refused:
        requested(huang, owed(huang)[:1], django_capture_on_commit_callbacks, account=account)
    assert refused.value.code == "bad_account"
    with translation.override("zh-hant"):
        assert "帳號" in refused.value.message
    with translation.override("en"):
        assert "Enter the account number as" in refused.value.message
    assert not DirectDebit.objects.filter(person=huang).exists()
