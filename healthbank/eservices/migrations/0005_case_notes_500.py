"""A case's decision and a step's note hold a rejection's whole reason (up to 500
characters, as staff may write it); they were cut to 200."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("eservices", "0004_claim_account_last4")]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="decision_note",
            field=models.CharField(blank=True, max_length=500, verbose_name="decision"),
        ),
        migrations.AlterField(
            model_name="casestep",
            name="note",
            field=models.CharField(blank=True, max_length=500, verbose_name="note"),
        ),
    ]
