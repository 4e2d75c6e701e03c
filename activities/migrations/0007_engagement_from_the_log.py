"""Store every prospect's engagement facts (last touch, last response, touches since) from
the activity log already stored, as activities.rollups defines them now."""

from django.db import migrations


def fill(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    if not Activity.objects.exists():
        return
    from activities.rollups import engagement_refresh
    from pipeline.models import Prospect

    engagement_refresh(Prospect.objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0006_follow_up_done"),
        ("pipeline", "0005_prospect_engagement"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
