"""Append-only audit events: security events and reads of personal data, by person."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditEvent(models.Model):
    """One thing that happened to a person's account or data. Never updated, never deleted.

    People are named by internal id, never by national ID; `detail` holds no secret.
    On PostgreSQL the table is partitioned by month on `at` (partitions.py), so its real
    primary key is (id, at); `id` stays the model's key for the ORM and the admin: one
    identity sequence numbers every row, so it is unique on its own.
    """

    class Action(models.TextChoices):
        REGISTRATION_APPLIED = "registration.applied", _("Applied for online services")
        REGISTRATION_CONFIRMED = "registration.confirmed", _("Confirmed registration by e-mail")
        REGISTRATION_RESENT = "registration.resent", _("Confirmation e-mail sent again")
        REGISTRATION_DELETED = "registration.deleted", _("Registration application deleted")
        REGISTRATION_COUNTER = "registration.counter", _("Registered at an NHIA counter")
        REGISTRATION_EMPLOYER = "registration.employer", _("Registered by the insured unit")
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login.failed", _("Sign-in failed")
        LOGOUT = "logout", _("Signed out")
        LOCKED = "locked", _("Online services suspended after wrong passwords")
        REAUTH_FAILED = "reauth.failed", _("Wrong password when asked again while signed in")
        PASSWORD_RESET_REQUESTED = "password.reset_requested", _("Password reset requested")
        PASSWORD_RESET = "password.reset", _("Password reset")
        PASSWORD_CHANGED = "password.changed", _("Password changed")
        ACCOUNT_UPDATED = "account.updated", _("Account data changed")
        SUSPENDED = "suspended", _("Online services suspended by NHIA")
        REINSTATED = "reinstated", _("Online services reinstated by NHIA")
        RECORDS_READ = "records.read", _("Health records viewed")
        RECORDS_CHANGED = "records.changed", _("Own entries changed (measurements, calendar)")
        DEVICE_CODE_ISSUED = "device.code_issued", _("Device verification code issued")
        DEVICE_VERIFIED = "device.verified", _("Mobile device verified")
        DEVICE_VERIFY_FAILED = "device.verify_failed", _("Mobile device verification refused")
        DEVICE_ENABLED = "device.enabled", _("Mobile device enabled")
        DEVICE_DISABLED = "device.disabled", _("Mobile device disabled")
        VCARD_APPLIED = "vcard.applied", _("Applied for a virtual NHI card")
        VCARD_APPROVED = "vcard.approved", _("Virtual NHI card approved")
        VCARD_REJECTED = "vcard.rejected", _("Virtual NHI card application rejected")
        VCARD_QR_ISSUED = "vcard.qr_issued", _("Virtual NHI card QR code shown")
        VCARD_VERIFIED = "vcard.verified", _("Virtual NHI card read by a provider")
        VCARD_AUTHORISED = "vcard.authorised", _("Virtual NHI card use authorised")
        VCARD_AGREED = "vcard.agreed", _("Virtual NHI card authorisation agreed")
        VCARD_DECLINED = "vcard.declined", _("Virtual NHI card authorisation declined")
        VCARD_REVOKED = "vcard.revoked", _("Virtual NHI card authorisation revoked")
        VCARD_REQUESTED = "vcard.requested", _("A provider asked to use the virtual NHI card")
        VCARD_PHOTOS_READ = (
            "vcard.photos_read",
            _("Virtual NHI card application photo viewed by NHIA staff"),
        )
        CREDENTIAL_ISSUED = "credential.issued", _("Provider upload credential issued")
        CREDENTIAL_REVOKED = "credential.revoked", _("Provider upload credential revoked")
        # Staff and insured-unit sign-ins (no online-service account): actor and actor_id
        # name the login; unlocking and resets name the staff member who did it.
        SIGN_IN_LOCKED = "signin.locked", _("Sign-in locked after wrong passwords or codes")
        SIGN_IN_UNLOCKED = "signin.unlocked", _("Locked sign-in unlocked by NHIA staff")
        SECOND_FACTOR_ENROLLED = "otp.enrolled", _("Second factor (authenticator app) enrolled")
        SECOND_FACTOR_RESET = "otp.reset", _("Second factor reset by NHIA staff")
        CERTIFICATE_ISSUED = "certificate.issued", _("Certificate issued (signed PDF)")
        # E-service applications (issue 24): `detail` names the kind and the application.
        APPLICATION_FILED = "application.filed", _("Application filed online")
        APPLICATION_CHECKED = (
            "application.checked",
            _("Application checked by NHIA staff, awaiting a second approval"),
        )
        APPLICATION_APPROVED = "application.approved", _("Application approved by NHIA staff")
        APPLICATION_REJECTED = "application.rejected", _("Application rejected by NHIA staff")
        APPLICATION_WITHDRAWN = "application.withdrawn", _("Application withdrawn")
        APPLICATION_FILE_READ = (
            "application.file_read",
            _("Application document viewed by NHIA staff"),
        )
        CARD_REPORTED_LOST = "card.lost", _("NHI card reported lost")
        CARD_ISSUED = "card.issued", _("NHI card issued")
        ENROLMENT_CHANGED = "enrolment.changed", _("Enrolment changed at the township office")
        ADDRESS_CHANGED = "address.changed", _("Mailing address changed")
        BANK_DEBITED = "bank.debited", _("Paid from a bank account")
        BANK_REFUSED = "bank.refused", _("Payment refused by the bank")
        BANK_CREDITED = "bank.credited", _("Paid into a bank account")
        # Third-party apps (SMART on FHIR): `detail` names the app (listing id) and scope.
        APP_GRANTED = "app.granted", _("Access granted to an app")
        APP_REVOKED = "app.revoked", _("App access revoked")
        # An app's developer changed what NHIA reviewed (no person: actor_id the developer).
        APP_CHANGED = "app.changed", _("App's redirect URIs changed by its developer")
        # Family accounts for adults: `person` is the owner, actor_id who did it.
        DELEGATION_OFFERED = "delegation.offered", _("Family access offered to another adult")
        DELEGATION_ACCEPTED = "delegation.accepted", _("Family access accepted")
        DELEGATION_ENDED = "delegation.ended", _("Family access ended")
        # NHI-card identity for other agencies: `detail` names the agency and the claims.
        IDENTITY_RELEASED = "identity.released", _("Identity confirmed to another agency")

    class Method(models.TextChoices):
        PASSWORD = "password", _("General sign-in")
        CARD = "card", _("NHI card")
        CERTIFICATE = "certificate", _("Citizen digital certificate")
        COUNTER = "counter", _("NHIA counter")
        PHONE = "phone", _("Mobile phone number")  # 行動電話認證 in the app
        TOTP = "totp", _("Authenticator app code")  # staff's second factor
        RECOVERY_CODE = "recovery", _("Recovery code")

    class Actor(models.TextChoices):
        PERSON = "person", _("The person")
        STAFF = "staff", _("NHIA staff")
        UNIT = "unit", _("Insured unit")
        PROVIDER = "provider", _("Healthcare provider")
        APP = "app", _("Third-party app")  # actor_id: the app's listing
        DEVELOPER = "developer", _("App developer")  # actor_id: fhir's Developer
        AGENCY = "agency", _("Government agency")  # actor_id: the relying party
        SYSTEM = "system", _("System")

    person = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("person"),
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    actor = models.CharField(_("by"), max_length=10, choices=Actor.choices)
    # The staff user, insured unit or provider that acted.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    method = models.CharField(
        pgettext_lazy("audit event", "method"), max_length=20, choices=Method.choices, blank=True
    )
    address = models.GenericIPAddressField(
        pgettext_lazy("audit event", "address"), null=True, blank=True
    )
    success = models.BooleanField(_("success"), default=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["person", "-at"]),
            # The home page's 上次登入: the person's last sign-ins, read without passing over
            # their page reads (one more row per page view).
            models.Index(
                fields=["person", "-at"],
                condition=models.Q(action="login", success=True),
                name="login_by_person",
            ),
            # Failed sign-ins per client address: the per-address limit counts these.
            models.Index(
                fields=["address", "-at"],
                condition=models.Q(action="login.failed"),
                name="failed_login_by_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")
