"""Store every email in its canonical form (trimmed, lower-cased), so that sign-in, the
sign-in lockout and password reset compare exact strings."""

from django.db import migrations
from django.db.models.functions import Lower, Trim


def canonicalise(apps, schema_editor):
    User = apps.get_model("users", "User")
    User.objects.update(email=Lower(Trim("email")))


class Migration(migrations.Migration):
    dependencies = [("users", "0002_input_validation")]

    operations = [migrations.RunPython(canonicalise, migrations.RunPython.noop)]
