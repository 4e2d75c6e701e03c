"""`make capture-demo` (docs/api.md#events): a day of the demo reps' email and call events
replayed through the real endpoints, shuffled and some twice, counts each message and call
once; replaying it again changes nothing."""

from django.core.management import call_command
from django.db.models import Sum

from activities.models import Activity, DailyRollup, Source
from activities.rollups import rollups_verify
from capture.models import CallRecord, EmailMessage
from devtools import capture


def _captured():
    rows = Activity.objects.filter(source__in=[Source.EMAIL_EVENT, Source.CALL_EVENT])
    fields = ("source", "rep_id", "date", "outcome", "prospect_id", "duration_minutes")
    return sorted(rows.values_list(*fields), key=repr)


def test_a_replayed_day_counts_each_message_and_call_once(db):
    call_command("seed_demo", reps=4, days=5, no_capture=True)
    before = DailyRollup.objects.aggregate(emails=Sum("emails"), calls=Sum("calls"))

    result = capture.replay_day(quiet=True)
    messages, calls = EmailMessage.objects.count(), CallRecord.objects.count()
    # Each message has a "sent" event and more (delivered, opened…); each call two events
    # (ringing, then its end).
    assert 0 < messages < result.email_events
    assert calls * 2 == result.call_events
    assert Activity.objects.filter(source=Source.EMAIL_EVENT).count() == messages
    assert Activity.objects.filter(source=Source.CALL_EVENT).count() == calls
    after = DailyRollup.objects.aggregate(emails=Sum("emails"), calls=Sum("calls"))
    assert after["emails"] - before["emails"] == messages
    assert after["calls"] - before["calls"] == calls
    # Demo prospects' phones are written three ways; the dialer's calls find them all.
    assert Activity.objects.filter(source=Source.CALL_EVENT, prospect__isnull=False).count() == (
        calls
    )

    once = _captured()
    capture.replay_day(quiet=True)
    assert _captured() == once
    assert EmailMessage.objects.count() == messages
    assert not rollups_verify()


def test_seed_demo_replays_today_unless_asked_not_to(db, capsys):
    call_command("seed_demo", reps=2, days=3)
    assert "Captured today through the API" in capsys.readouterr().out
    assert EmailMessage.objects.exists()
    assert CallRecord.objects.exists()
    call_command("seed_demo", reps=2, days=3, no_capture=True)
    assert not EmailMessage.objects.exists()
    assert not CallRecord.objects.exists()
