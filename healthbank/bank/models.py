"""What NHIA staff publish on the portal: announcements (公告事項), health news (健康時事)
and the help pages (使用指南, 常見問題). None of it is personal data.

Each text is kept in Traditional Chinese and in English; pages show the reader's language.
Bodies are plain text with blank lines between paragraphs (rendered escaped, never as HTML).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


def _in_language(zh: str, en: str) -> str:
    """The English text when the page is in English and there is one, else the Chinese."""
    english = (translation.get_language() or "").startswith("en")
    return en if english and en else zh


class Bilingual(models.Model):
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_zh = models.TextField(
        _("text (Chinese)"),
        blank=True,
        help_text=_("Plain text; leave a blank line between paragraphs."),
    )
    body_en = models.TextField(
        _("text (English)"),
        blank=True,
        help_text=_("Plain text; leave a blank line between paragraphs."),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title_zh

    @property
    def title(self) -> str:
        return _in_language(self.title_zh, self.title_en)

    @property
    def body(self) -> str:
        return _in_language(self.body_zh, self.body_en)


class Announcement(Bilingual):
    """An announcement (公告事項) or a health news item (健康時事), shown while current."""

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", _("Announcement")
        NEWS = "news", _("Health news")

    kind = models.CharField(
        _("kind"), max_length=12, choices=Kind.choices, default=Kind.ANNOUNCEMENT
    )
    link = models.URLField(
        _("link"), blank=True, help_text=_("Optional: where to read more, e.g. a CDC page.")
    )
    published_on = models.DateField(
        _("published on"),
        default=timezone.localdate,
        help_text=_("Shown from this day on."),
    )
    until = models.DateField(
        _("shown until"),
        null=True,
        blank=True,
        help_text=_("Last day it is shown; leave empty to show it until removed."),
    )
    pinned = models.BooleanField(
        _("pinned"), default=False, help_text=_("Pinned items are listed before the others.")
    )

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements and health news")
        ordering = ["-pinned", "-published_on", "-pk"]
        indexes = [models.Index(fields=["kind", "-published_on"], name="announcement_kind_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=True)
                | models.Q(until__gte=models.F("published_on")),
                name="announcement_until_after_published",
            )
        ]

    def clean(self) -> None:
        if self.until and self.published_on and self.until < self.published_on:
            raise ValidationError(
                {"until": _("The last day shown cannot be before the day it is published.")}
            )

    def is_current(self, today: dt.date) -> bool:
        return self.published_on <= today and (self.until is None or today <= self.until)


class HelpEntry(Bilingual):
    """A section of the user guide (使用指南) or a question and its answer (常見問題)."""

    class Kind(models.TextChoices):
        GUIDE = "guide", _("User guide section")
        FAQ = "faq", _("Frequently asked question")

    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Entries are listed by this number, lowest first.")
    )

    class Meta:
        verbose_name = _("help entry")
        verbose_name_plural = _("help entries (user guide and FAQ)")
        ordering = ["kind", "position", "pk"]
