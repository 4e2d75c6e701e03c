"""Alerts keep their kind and figures and are put into words when read
(docs/contracts.md#stored-sentences). The alerts written before keep their English
sentence; this reads their figures back out of it, so that they too read in the reader's
language. A sentence that does not read back keeps `params` empty and shows as it was."""

import re
from datetime import date

from django.db import migrations, models

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
PCT = r"(\d+(?:\.\d+)?) %"

PATTERNS = {
    "below_pace": re.compile(rf"^(?P<name>.+) is at {PCT} of quota with {PCT} of (?P<period>.+) gone\.$"),
    "no_activity": re.compile(
        r"^(?P<name>.+) has logged no activity for (?P<days>\d+) working days "
        r"\((?:since (?P<wd>\w{3}) (?P<d>\d{2}) (?P<m>\w{3})|yet)\)\.$"
    ),
    "conversion_drop": re.compile(
        rf"^(?P<name>.+)'s calls → meetings rate fell to {PCT} from {PCT} over the last 90 days\.$"
    ),
    "email_bounces": re.compile(
        rf"^{PCT} of (?P<name>.+)'s (?P<emails>[\d,]+) emails of the last 30 days bounced: "
        r"check the list they come from\.$"
    ),
    "reply_drop": re.compile(
        rf"^(?P<name>.+)'s email reply rate fell to {PCT} over the last 30 days, "
        rf"from {PCT} over the last 90\.$"
    ),
}  # fmt: skip


def _ratio(text: str) -> float:
    return round(float(text) / 100, 6)


def _day_before(as_of: date, weekday: str, day: str, month: str) -> date | None:
    """ "Wed 11 Nov" on or before `as_of` (the latest such day in as_of's year or the one
    before), or None."""
    if weekday not in DAYS or month not in MONTHS:
        return None
    for year in (as_of.year, as_of.year - 1):
        try:
            found = date(year, MONTHS.index(month) + 1, int(day))
        except ValueError:
            continue
        if found <= as_of and found.weekday() == DAYS.index(weekday):
            return found
    return None


def params_from_message(kind: str, message: str, as_of: date) -> dict | None:
    """The figures of a legacy alert's English sentence, or None if it does not read back."""
    pattern = PATTERNS.get(kind)
    match = pattern.match(message) if pattern else None
    if match is None:
        return None
    name = match["name"]
    groups = match.groups()
    if kind == "below_pace":
        period = match["period"]
        where = (
            {"month": as_of.replace(day=1).isoformat()}
            if period == MONTH_NAMES[as_of.month - 1]
            else {"period": period}
        )
        return {
            "name": name,
            "attainment": _ratio(groups[1]),
            "expected": _ratio(groups[2]),
            **where,
        }
    if kind == "no_activity":
        last = None
        if match["wd"]:
            last = _day_before(as_of, match["wd"], match["d"], match["m"])
            if last is None:
                return None
        return {
            "name": name,
            "idle_days": int(match["days"]),
            "last_logged": last.isoformat() if last else None,
        }
    if kind == "email_bounces":
        emails = int(match["emails"].replace(",", ""))
        return {"name": name, "bounce_rate": _ratio(groups[0]), "emails": emails}
    # conversion_drop, reply_drop: the name, then now and before.
    return {"name": name, "current": _ratio(groups[1]), "trailing": _ratio(groups[2])}


def fill_params(apps, schema_editor):
    Alert = apps.get_model("dashboards", "Alert")
    batch = []
    for alert in (
        Alert.objects.only("kind", "message", "as_of").iterator(chunk_size=2000)
    ):
        if params := params_from_message(alert.kind, alert.message, alert.as_of):
            alert.params = params
            batch.append(alert)
        if len(batch) >= 2000:
            Alert.objects.bulk_update(batch, ["params"])
            batch = []
    Alert.objects.bulk_update(batch, ["params"])


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0005_email_alerts"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        # Back: the English sentence is still there.
        migrations.RunPython(fill_params, migrations.RunPython.noop, elidable=True),
    ]
