"""Record packages (健康存摺下載): what a person asked for, and the file made for them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.people.models import Person


class PackageRequest(models.Model):
    """One request on the download page (產製清單 row): categories, then a ZIP for 7 days."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")  # 待處理
        RUNNING = "running", _("Being made")  # 處理中
        READY = "ready", _("Ready to download")  # 可下載
        EMPTY = "empty", _("No data")  # 無資料
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")  # 已逾期

    class Mode(models.TextChoices):
        MERGED = "merged", _("Merged data")  # 合併資料
        MONTHLY = "monthly", _("Single-month data")  # 單月份資料

    person = models.ForeignKey(Person, models.CASCADE, related_name="+", db_index=False)
    # Who asked: the person, or the parent of a child under 15.
    requested_by = models.ForeignKey(Person, models.PROTECT, related_name="+", db_index=False)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    # [{"code": "outpatient", "mode": "merged"}, ...] in the page's order (categories.py).
    categories = models.JSONField(_("categories"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # {"outpatient": 12, "allergies": 0, ...} once made: the app's 瀏覽 / 無資料 per category.
    row_counts = models.JSONField(_("rows per category"), default=dict, blank=True)
    serial = models.PositiveSmallIntegerField(_("serial"))  # of the day, as in the file name
    file_name = models.CharField(_("file name"), max_length=80)  # 健康存摺_1151124_1.zip
    stored_as = models.CharField(max_length=200, blank=True)  # its "downloads" storage name
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("downloadable until"), null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)  # for staff; the person sees "failed"

    class Meta:
        verbose_name = _("record package")
        verbose_name_plural = _("record packages")
        indexes = [
            models.Index(fields=["person", "-requested_at"]),
            models.Index(fields=["status", "expires_at"], name="package_expiry"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "file_name"], name="one_file_name_per_person")
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def in_flight(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    def is_downloadable(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.READY
            and self.expires_at is not None
            and now < self.expires_at
        )
