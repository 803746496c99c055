from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BankConfig(AppConfig):
    """The My Health Bank portal."""

    name = "healthbank.bank"
    verbose_name = _("My Health Bank")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from healthbank.bank.models import Announcement
        from healthbank.bank.news import forget_announcements

        for signal in (post_save, post_delete):
            signal.connect(forget_announcements, sender=Announcement)
