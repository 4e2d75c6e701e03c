"""Store every email in its new canonical form: NFKC-normalised and case-folded, not just
lower-cased (docs/operations.md#email-addresses), so that sign-in and password reset,
which now look addresses up in that form, still find every account. For ASCII addresses
nothing changes. An address whose new form another account already holds is left as it
was and named, for an admin to settle."""

import unicodedata

from django.db import migrations


def _canonical(value):
    # A copy of users.models.canonical_email as of this migration.
    text = unicodedata.normalize("NFKC", (value or "").strip())
    return unicodedata.normalize("NFKC", text.casefold())


def canonicalise(apps, schema_editor):
    User = apps.get_model("users", "User")
    taken = set(User.objects.values_list("email", flat=True))
    for user in User.objects.exclude(email__regex=r"^[ -~]*$").only("pk", "email"):
        new = _canonical(user.email)
        if new == user.email:
            continue
        if new in taken:
            print(f"\n  users: {user.email!r} left as it is: {new!r} belongs to another account.")
            continue
        taken.discard(user.email)
        taken.add(new)
        User.objects.filter(pk=user.pk).update(email=new)


class Migration(migrations.Migration):
    dependencies = [("users", "0005_membership_history_from_todays_data")]

    operations = [migrations.RunPython(canonicalise, migrations.RunPython.noop)]
