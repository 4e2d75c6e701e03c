"""Build each rep's team history from what is known today (issue: numbers that hold over
time). Every rep with a team gets one membership from `joined_on`: open while they are
active; for a deactivated rep it ends on their last day with logged activity (or the day
they joined, if they never logged any), which also becomes their `left_on` — the day they
left was never recorded, and their last activity is the best witness of it."""

from django.db import migrations
from django.db.models import Max


def build(apps, schema_editor):
    User = apps.get_model("users", "User")
    TeamMembership = apps.get_model("users", "TeamMembership")
    Activity = apps.get_model("activities", "Activity")
    last_logged = dict(
        Activity.objects.order_by()
        .values("rep_id")
        .annotate(last=Max("date"))
        .values_list("rep_id", "last")
    )
    memberships = []
    for rep in User.objects.filter(role="rep", team__isnull=False).iterator():
        if TeamMembership.objects.filter(rep=rep).exists():
            continue
        end = None
        if not rep.is_active:
            end = max(last_logged.get(rep.pk) or rep.joined_on, rep.joined_on)
            User.objects.filter(pk=rep.pk).update(left_on=end)
        memberships.append(
            TeamMembership(rep_id=rep.pk, team_id=rep.team_id, start=rep.joined_on, end=end)
        )
    TeamMembership.objects.bulk_create(memberships, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0004_team_memberships"),
        ("activities", "0002_input_validation"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
