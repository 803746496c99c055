"""Only the last digits of the fee's account stay once no refund can be needed."""

from django.db import migrations, models


def keep_last_digits(apps, schema_editor):
    """Existing applications: the last digits noted; the full number forgotten where the
    application is decided and no refused refund waits for staff."""
    CardApplication = apps.get_model("cards", "CardApplication")
    for application in CardApplication.objects.exclude(account_number=""):
        application.account_last4 = application.account_number[-4:]
        refund_pending = (
            application.status == "rejected"
            and application.refunded_at is None
            and application.refund_refused
        )
        if application.status not in ("pending", "checked") and not refund_pending:
            application.account_number = ""
        application.save(update_fields=["account_last4", "account_number"])


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="cardapplication",
            name="account_last4",
            field=models.CharField(blank=True, max_length=4, verbose_name="account ending"),
        ),
        migrations.RunPython(keep_last_digits, migrations.RunPython.noop),
    ]
