"""The NHI Express app's credentials: one per verified device, and its short-lived tokens.

Only SHA-256 hashes of the secrets are stored; the secrets themselves are handed to the
app once. Every token hangs on a device binding, so disabling the device ends them all.
"""

from __future__ import annotations

import hashlib

from django.db import models
from django.utils import timezone


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class DeviceCredential(models.Model):
    """The secret the app received when its device was verified (裝置認證)."""

    binding = models.ForeignKey(
        "identity.DeviceBinding", models.CASCADE, related_name="api_credentials"
    )
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"credential of binding {self.binding_id}"


class ApiToken(models.Model):
    """An access or refresh token. The tokens of one sign-in, the first two and those its
    refreshes issued, share a `pair`: the app's session."""

    class Kind(models.TextChoices):
        ACCESS = "access", "access"
        REFRESH = "refresh", "refresh"

    binding = models.ForeignKey("identity.DeviceBinding", models.CASCADE, related_name="api_tokens")
    kind = models.CharField(max_length=7, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    pair = models.CharField(max_length=32, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} token of binding {self.binding_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
