"""Mail: bilingual messages, the embedded mailbox, and delivery to a real SMTP server."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage

from healthbank.external.mail import SEPARATOR, MailboxBackend, render_bilingual, send_bilingual
from healthbank.external.models import StoredMail
from healthbank.identity import services
from healthbank.identity.tests.cardhelpers import CHEN_ID, PASSWORD, seed_personas
from healthbank.people.models import Person

pytestmark = pytest.mark.django_db


class Collect:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


def test_the_confirmation_mail_reaches_a_real_smtp_server(smtp, settings):
    seed_personas()
    person = Person.objects.get(national_id=CHEN_ID)

    services.apply_online(person=person, password=PASSWORD, email="chen@example.com")

    [envelope] = smtp.envelopes
    assert envelope.mail_from == settings.DEFAULT_FROM_EMAIL
    assert envelope.rcpt_tos == ["chen@example.com"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert "健保卡網路服務註冊" in message["Subject"]
    body = message.get_body(("plain",))
    assert body.get_content_charset() == "utf-8"
    text = body.get_content()
    assert "親愛的 陳志明 您好" in text
    assert "/register/confirm/" in text
    assert PASSWORD not in text
    assert not StoredMail.objects.exists()


def test_the_mailbox_keeps_a_message_with_its_attachments():
    message = EmailMessage(
        "健康存摺 download / My Health Bank download",
        "您的檔案已備妥。",
        "eservice@healthbank.example",
        ["chen@example.com", "chen.backup@example.com"],
    )
    message.attach("note.txt", "說明 readme".encode(), "text/plain")
    message.attach("data.json", '{"ok": true}', "application/json")

    assert MailboxBackend().send_messages([message]) == 1

    stored = StoredMail.objects.get()
    assert stored.sender == "eservice@healthbank.example"
    assert stored.recipients == "chen@example.com, chen.backup@example.com"
    assert stored.subject.startswith("健康存摺 download")
    assert stored.body == "您的檔案已備妥。"
    assert stored.attachments == [
        {"name": "note.txt", "type": "text/plain", "content": "說明 readme"},
        {"name": "data.json", "type": "application/json", "content": '{"ok": true}'},
    ]


def test_bilingual_mail_goes_to_the_mailbox_by_default(settings):
    settings.EMAIL_BACKEND = "healthbank.external.mail.MailboxBackend"

    send_bilingual(
        "identity/mail/password_changed",
        to=["chen@example.com", ""],
        context={"name": "陳志明"},
        attachments=[("a.txt", b"x", "text/plain")],
    )

    stored = StoredMail.objects.get()
    assert stored.recipients == "chen@example.com"
    assert stored.attachments == [{"name": "a.txt", "type": "text/plain", "content": "x"}]


def test_a_message_is_chinese_first_then_english():
    subject, body = render_bilingual("identity/mail/password_changed", {"name": "陳志明"})

    chinese_subject, english_subject = subject.split(" / ")
    assert "註冊密碼變更通知" in chinese_subject
    assert "password was changed" in english_subject
    chinese, english = body.split(SEPARATOR)
    assert chinese.startswith("親愛的 陳志明 您好")
    assert english.startswith("Dear 陳志明")


def test_mail_text_is_not_html_escaped():
    _, body = render_bilingual("identity/mail/password_changed", {"name": "O'Neil & <Lee>"})

    assert "Dear O'Neil & <Lee>" in body
    assert "&amp;" not in body
