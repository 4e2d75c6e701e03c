"""Fill the daily rollups from the activity log already stored, and store every closed
deal's touches before close. A fresh database has nothing to fill; an existing one is
filled with the measures as they are defined now (activities.rollups), which is what the
code reading them expects."""

from django.db import migrations


def fill(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    if not Activity.objects.exists():
        return
    from activities.rollups import rollups_rebuild, touches_refresh_all

    rollups_rebuild()
    touches_refresh_all()


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_daily_rollups"),
        ("pipeline", "0004_touches_before_close"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
