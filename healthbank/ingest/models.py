"""Provider and agency feeds: the credentials they upload with, their batches, and the
problems found in each batch."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from healthbank.records.models import Provider


class Credential(models.Model):
    """An upload credential of a provider or agency: a key id and a secret kept only as a
    hash, limited to the row types (scopes) it may send."""

    provider = models.ForeignKey(
        Provider, models.PROTECT, related_name="ingest_credentials", verbose_name=_("provider")
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    key_id = models.CharField(_("key id"), max_length=24, unique=True, editable=False)
    # SHA-256 of a 256-bit random secret: a slow hash adds nothing to a secret this long,
    # and every API request checks it.
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("row types it may send"), default=list)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("issued by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    # Kept to the minute (services.authenticate): which credentials are still in use.
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("upload credential")
        verbose_name_plural = _("upload credentials")

    def __str__(self) -> str:
        return f"{self.key_id} ({self.provider})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Batch(models.Model):
    """One uploaded file and how its processing went."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        NDJSON = "ndjson", "NDJSON"
        CSV = "csv", "CSV"
        FHIR = "fhir", "FHIR R4 Bundle"

    provider = models.ForeignKey(
        Provider, models.PROTECT, related_name="ingest_batches", verbose_name=_("provider")
    )
    credential = models.ForeignKey(
        Credential, models.PROTECT, related_name="batches", verbose_name=_("credential")
    )
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    file_name = models.CharField(_("file name as sent"), max_length=200, blank=True)
    stored_name = models.CharField(max_length=100, editable=False)  # under INGEST_DIR
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    all_or_nothing = models.BooleanField(_("all or nothing"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    received = models.PositiveIntegerField(_("rows received"), default=0)
    accepted = models.PositiveIntegerField(_("rows accepted"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    voided = models.PositiveIntegerField(_("records voided"), default=0)
    # Position (line or entry) of the last row whose chunk is committed; resuming skips to it.
    checkpoint = models.PositiveIntegerField(_("processed up to row"), default=0)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # When a run last started or committed a chunk: a batch left unfinished and silent for
    # long is one whose worker died, and is queued again (tasks.resume_stalled).
    progress_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the raw file under INGEST_DIR was deleted; until then it counts against the
    # credential's quota (services.held_bytes).
    file_deleted_at = models.DateTimeField(
        _("raw file deleted at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("upload batch")
        verbose_name_plural = _("upload batches")
        indexes = [
            models.Index(fields=["provider", "-created_at"]),
            models.Index(
                fields=["progress_at"],
                condition=models.Q(status__in=["received", "processing"]),
                name="ingest_batch_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.format} {self.get_status_display()}"

    @property
    def duration(self) -> dt.timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class BatchProblem(models.Model):
    """Why a row of a batch (or the whole file) was refused."""

    batch = models.ForeignKey(Batch, models.CASCADE, related_name="problems")
    position = models.PositiveIntegerField(_("line or entry"))
    field = models.CharField(_("field"), max_length=100, blank=True)
    message = models.TextField(_("message"))

    class Meta:
        verbose_name = _("batch problem")
        verbose_name_plural = _("batch problems")
        ordering = ["batch", "position", "pk"]
        indexes = [models.Index(fields=["batch", "position"])]

    def __str__(self) -> str:
        return f"{self.position} {self.field}: {self.message}"
