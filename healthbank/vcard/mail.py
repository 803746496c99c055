"""The virtual card's e-mail, in Traditional Chinese with English below (external.mail)."""

from __future__ import annotations

from django.utils import timezone

from healthbank.external.mail import send_bilingual
from healthbank.identity.models import Account
from healthbank.vcard.models import Application, QrToken


def review_result(application_id: int) -> bool:
    """Tell the applicant (at the application's e-mail) whether the card was approved."""
    application = Application.objects.select_related("person").get(pk=application_id)
    if application.status == Application.Status.PENDING:
        return False
    template = (
        "vcard/mail/approved"
        if application.status == Application.Status.APPROVED
        else "vcard/mail/rejected"
    )
    send_bilingual(
        template,
        to=[application.email],
        context={"name": application.person.name, "reason": application.rejection_reason},
    )
    return True


def use_by_specific_person(qr_token_id: int) -> bool:
    """非同一般健保戶 ... 當被授權人使用虛擬卡就醫時, 將發送電子郵件提示: the owner is told who
    used their card, where and when."""
    token = QrToken.objects.select_related("person", "presented_by", "used_by").get(pk=qr_token_id)
    account = Account.objects.filter(person=token.person).first()
    to = [account.email] if account and account.email else [token.person.email]
    if not any(to):
        return False
    send_bilingual(
        "vcard/mail/used",
        to=to,
        context={
            "name": token.person.name,
            "grantee": token.presented_by.name,
            "provider": token.used_by.name if token.used_by else "",
            "at": timezone.localtime(token.used_at),
        },
    )
    return True
