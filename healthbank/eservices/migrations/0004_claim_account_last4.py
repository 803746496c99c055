"""A claim keeps the whole account number only until it is paid; its last four digits are
what anyone is shown. Claims paid already lose the whole number here."""

from django.db import migrations, models


def keep_last4(apps, schema_editor):
    ReimbursementClaim = apps.get_model("eservices", "ReimbursementClaim")
    for claim in ReimbursementClaim.objects.all().only("pk", "bank_account", "paid_at"):
        claim.bank_account_last4 = claim.bank_account[-4:]
        if claim.paid_at is not None:
            claim.bank_account = ""
        claim.save(update_fields=["bank_account", "bank_account_last4"])


class Migration(migrations.Migration):
    dependencies = [("eservices", "0003_claim_payment_reference")]

    operations = [
        migrations.AddField(
            model_name="reimbursementclaim",
            name="bank_account_last4",
            field=models.CharField(default="", max_length=4, verbose_name="account ending"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="reimbursementclaim",
            name="bank_account",
            field=models.CharField(blank=True, max_length=16, verbose_name="account number"),
        ),
        migrations.RunPython(keep_last4, migrations.RunPython.noop),
    ]
