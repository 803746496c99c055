"""Contact phones in the one stored form (core.phones): digits only, an extension after #.

The old check let a phone through with one hyphen after the area code (02-23456789#123);
mobiles were digits already. Reversing keeps the digits: the old check accepted them too.
"""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Replace

# The only non-canonical form the old check (identity.forms.PHONE) let in; one statement,
# whatever the number of accounts.
OLD_FORM = r"^0[0-9]{1,3}-[0-9]{5,8}(#[0-9]{1,6})?$"


def phones_to_digits(apps, schema_editor):
    Account = apps.get_model("identity", "Account")
    Account.objects.filter(phone__regex=OLD_FORM).update(
        phone=Replace("phone", Value("-"), Value(""))
    )


class Migration(migrations.Migration):
    dependencies = [("identity", "0005_staff_names")]

    operations = [migrations.RunPython(phones_to_digits, migrations.RunPython.noop)]
