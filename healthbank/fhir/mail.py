"""The app pages' e-mail, Traditional Chinese with English below."""

from __future__ import annotations

from django.utils import translation

from healthbank.external.mail import send_bilingual
from healthbank.fhir.models import Grant
from healthbank.fhir.scopes import shared_categories
from healthbank.identity.contacts import mail_recipients


def app_granted(grant_id: int) -> bool:
    """Tell the person an app was given access to their records (so that a grant they did not
    give is noticed); False when they have no e-mail."""
    grant = Grant.objects.select_related("person", "listing__application").get(pk=grant_id)
    to = mail_recipients(grant.person)
    if not to:
        return False
    labels = {}
    for language in ("zh-hant", "en"):
        with translation.override(language):
            labels[language] = [
                str(c.label) for c in shared_categories() if c.code in grant.categories
            ]
    send_bilingual(
        "fhir/mail/app_granted",
        to=to,
        context={
            "name": grant.person.name,
            "grant": grant,
            "app": grant.listing.application.name,
            "publisher": grant.listing.publisher,
            "labels_zh": labels["zh-hant"],
            "labels_en": labels["en"],
        },
    )
    return True
