"""E-mail: bilingual messages from templates, and the embedded mailbox backend.

Production sends through SMTP (EMAIL_URL). Without it, mail is stored in the database and
shown at /dev/mailbox/ (DEBUG only), so a newcomer can finish a registration on a laptop.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import translation

LANGUAGES = ("zh-hant", "en")  # every message: Traditional Chinese first, then English
SEPARATOR = "\n\n" + "-" * 20 + " English " + "-" * 20 + "\n\n"


def render_bilingual(template: str, context: dict) -> tuple[str, str]:
    """Subject and body of `<template>.<language>.txt` in both languages.

    Each template's first line is its subject; the rest is the body.
    """
    subjects, bodies = [], []
    for language in LANGUAGES:
        with translation.override(language):
            text = render_to_string(f"{template}.{language}.txt", context, using="text").strip()
        subject, _, body = text.partition("\n")
        subjects.append(subject.strip())
        bodies.append(body.strip())
    return " / ".join(subjects), SEPARATOR.join(bodies) + "\n"


def send_bilingual(
    template: str,
    *,
    to: Iterable[str],
    context: dict,
    attachments: Iterable[tuple[str, bytes, str]] = (),
) -> None:
    subject, body = render_bilingual(template, context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [a for a in to if a])
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send()


class MailboxBackend(BaseEmailBackend):
    """Keeps each message in StoredMail instead of sending it."""

    def send_messages(self, email_messages):
        from healthbank.external.models import StoredMail

        for message in email_messages:
            StoredMail.objects.create(
                sender=message.from_email,
                recipients=", ".join(message.recipients()),
                subject=message.subject,
                body=message.body,
                attachments=[
                    {"name": name, "type": mimetype, "content": _as_text(content)}
                    for name, content, mimetype in message.attachments
                ],
            )
        return len(email_messages)


def _as_text(content: bytes | str) -> str:
    return content.decode("utf-8", "replace") if isinstance(content, bytes) else content
