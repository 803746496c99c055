"""Documents NHIA issues to a person (證明文件) and the anonymous checks of their codes."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.certificates import rules
from healthbank.core.rocdate import to_roc


class Certificate(models.Model):
    """A signed PDF issued to a person, checkable by its code at /verify/.

    `facts` is what the document said, exactly as printed (masked ID, dates as shown), so the
    check shows the document and nothing the document did not; `pdf_sha256` is the digest of
    the signed file handed out.
    """

    class Kind(models.TextChoices):
        INSURANCE = "insurance", _("Certificate of insurance")
        PREMIUMS = "premiums", _("NHI certificate of premiums paid")

    class Language(models.TextChoices):
        CHINESE = "zh-hant", "中文"
        ENGLISH = "en", "English"

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    person = models.ForeignKey(
        "people.Person",
        models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("person"),
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    issued_at = models.DateTimeField(_("issued at"))
    valid_until = models.DateField(_("valid until"))
    code = models.CharField(_("verification code"), max_length=rules.CODE_LENGTH, unique=True)
    facts = models.JSONField(_("what the document said"))
    pdf_sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64)
    # The signed file, so its owner can download it again while it is valid (a new signature
    # would make a different file from the one the code and digest name).
    pdf = models.BinaryField(_("signed PDF"))

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [models.Index(fields=["person", "-issued_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"

    @property
    def file_name(self) -> str:
        """The download's name, in the certificate's language: the website and the app hand
        out the same file under the same name."""
        issued = timezone.localtime(self.issued_at).date()
        english = self.language == self.Language.ENGLISH
        if self.kind == self.Kind.PREMIUMS:
            year = self.facts["year"]
            if english:
                return f"NHI_premiums_paid_{year}_{issued:%Y%m%d}_{self.pk}.pdf"
            return f"保險費繳納證明_{year}_{to_roc(issued, sep='')}_{self.pk}.pdf"
        if english:
            return f"NHI_certificate_of_insurance_{issued:%Y%m%d}_{self.pk}.pdf"
        return f"投保證明_{to_roc(issued, sep='')}_{self.pk}.pdf"

    @property
    def code_shown(self) -> str:
        """The code in groups of four, as printed: 7K3M-Q9TA-..."""
        return format_code(self.code)

    def is_valid_on(self, day: dt.date) -> bool:
        return day <= self.valid_until


def format_code(code: str) -> str:
    step = rules.CODE_GROUP
    return "-".join(code[i : i + step] for i in range(0, len(code), step))


class VerifyMiss(models.Model):
    """A code typed at /verify/ that named no certificate: counted per address to throttle."""

    address = models.GenericIPAddressField(_("address"))
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("verification miss")
        verbose_name_plural = _("verification misses")
        indexes = [models.Index(fields=["address", "at"])]

    def __str__(self) -> str:
        return f"{self.address} {self.at}"
