"""The default stages (docs/architecture.md#the-domain-model) and lead sources, so a new organisation can log from
day one. Admins edit both on the settings pages."""

from django.db import migrations

STAGES = [
    # name, order, probability, is_won, is_lost
    ("Qualified", 10, 10, False, False),
    ("Meeting/Demo", 20, 20, False, False),
    ("Proposal", 30, 50, False, False),
    ("Negotiation", 40, 75, False, False),
    ("Won", 50, 100, True, False),
    ("Lost", 60, 0, False, True),
]
LEAD_SOURCES = [
    "Referral",
    "Inbound web",
    "Cold list",
    "Event",
    "Social",
    "Partner",
    "Email campaign",
]


def add_defaults(apps, schema_editor):
    Stage = apps.get_model("pipeline", "Stage")
    LeadSource = apps.get_model("pipeline", "LeadSource")
    for name, order, probability, is_won, is_lost in STAGES:
        Stage.objects.get_or_create(
            name=name,
            defaults={
                "order": order,
                "probability": probability,
                "is_won": is_won,
                "is_lost": is_lost,
            },
        )
    for name in LEAD_SOURCES:
        LeadSource.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
