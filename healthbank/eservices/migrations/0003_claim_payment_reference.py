"""A claim's payment reference is stored, random, when it is filed (it was built from the
row's key, which repeats after a restore, so a bank would refuse the payment as made)."""

import secrets

from django.db import migrations, models


def draw_references(apps, schema_editor):
    ReimbursementClaim = apps.get_model("eservices", "ReimbursementClaim")
    for claim in ReimbursementClaim.objects.all().only("pk", "submitted_at"):
        claim.payment_reference = (
            f"RB{claim.submitted_at:%Y%m%d}{secrets.token_hex(5).upper()}"
        )
        claim.save(update_fields=["payment_reference"])


class Migration(migrations.Migration):
    dependencies = [("eservices", "0002_reimbursement_claims")]

    operations = [
        migrations.AddField(
            model_name="reimbursementclaim",
            name="payment_reference",
            field=models.CharField(max_length=40, null=True, verbose_name="payment reference"),
        ),
        migrations.RunPython(draw_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reimbursementclaim",
            name="payment_reference",
            field=models.CharField(max_length=40, unique=True, verbose_name="payment reference"),
        ),
    ]
