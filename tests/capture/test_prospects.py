"""capture/prospects.py: one matcher for both channels, one query a batch
(docs/api.md#email-events, docs/api.md#call-events)."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from activities.models import DailyRollup
from activities.rollups import rollups_verify
from capture.calls import CallEvent, record_call_events
from capture.email import EmailEvent, record_email_events
from capture.models import CallRecord, EmailMessage, UnmatchedEvent
from capture.prospects import CALLS, EMAILS, prospects_for
from pipeline.models import Prospect
from tests.factories import ProspectFactory, RepFactory


def _noon(days_ago: int) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def _call(rep, to, seconds=60, call_id="c-1"):
    return CallEvent(call_id, rep.email, to, _noon(1), seconds, "connected")


def test_a_call_takes_the_prospect_touched_last_an_email_the_oldest(rep, team):
    """Two of a teammate's prospects share a number and an address: the older was touched
    ten days ago, the newer yesterday. The call goes to the newer, the email to the older
    (its choice must not hang on the order its events arrive in)."""
    mate = RepFactory(team=team)
    older = ProspectFactory(owner=mate, email="desk@acme.example", phone="+14155550100")
    newer = ProspectFactory(owner=mate, email="desk@acme.example", phone="+14155550100")
    Prospect.objects.filter(pk=older.pk).update(last_touch_on=timezone.localdate() - timedelta(10))
    Prospect.objects.filter(pk=newer.pk).update(last_touch_on=timezone.localdate() - timedelta(1))
    wanted = {(rep, "+1 415 555 0100"), (rep, "Desk@ACME.example")}
    assert prospects_for(wanted, rule=CALLS) == {
        (rep.pk, "+1 415 555 0100"): newer.pk,
        (rep.pk, "Desk@ACME.example"): newer.pk,
    }
    assert prospects_for(wanted, rule=EMAILS) == {(rep.pk, "Desk@ACME.example"): older.pk}
    # The rep's own comes first, however long ago it was touched.
    own = ProspectFactory(owner=rep, email="desk@acme.example", phone="(415) 555-0100")
    assert prospects_for(wanted, rule=CALLS)[(rep.pk, "+1 415 555 0100")] == own.pk
    assert prospects_for(wanted, rule=EMAILS)[(rep.pk, "Desk@ACME.example")] == own.pk


def test_one_query_matches_a_whole_batch(rep, team, django_assert_num_queries):
    mate = RepFactory(team=team)
    for i in range(50):
        ProspectFactory(
            owner=[rep, mate][i % 2], email=f"p{i}@acme.example", phone=f"+1415555{i:04d}"
        )
    wanted = {(r, f"+1 415 555 {i:04d}") for i in range(100) for r in (rep, mate)}
    wanted |= {(r, f"p{i}@acme.example") for i in range(100) for r in (rep, mate)}
    with django_assert_num_queries(1):
        found = prospects_for(wanted, rule=CALLS)
    assert len(found) == 2 * 50 * 2  # each of 50 numbers and 50 addresses, for both reps


def test_a_call_is_linked_when_its_prospect_turns_up_and_taken_off_the_list(rep):
    """An unknown number: counted unlinked as a new prospect and listed. The prospect is
    added, the dialer sends the call again with its final duration: linked, the prospect's
    first contact (new), engagement stored, the listing gone; the day still counts 1 call
    for a new prospect."""
    record_call_events([_call(rep, "+1 212 555 0199", seconds=40)], by=None)
    assert UnmatchedEvent.objects.get().reason == "unknown_recipient"
    assert CallRecord.objects.get().activity.prospect is None
    lena = ProspectFactory(owner=rep, phone="212-555-0199")
    result = record_call_events([_call(rep, "+1 212 555 0199", seconds=95)], by=None)
    assert result.as_json() == {
        "events": 1,
        "created": 0,
        "updated": 1,
        "unchanged": 0,
        "unmatched": 0,
    }
    activity = CallRecord.objects.get().activity
    assert (activity.prospect, activity.prospect_status, activity.duration_minutes) == (
        lena,
        "new",
        2,
    )
    assert not UnmatchedEvent.objects.exists()
    lena.refresh_from_db()
    assert lena.last_touch_on == _noon(1).date()
    day = DailyRollup.objects.get(rep=rep)
    assert (day.calls, day.calls_new, day.talk_minutes) == (1, 1, 2)
    assert not rollups_verify()


def test_an_email_and_a_call_to_one_prospect_on_one_day_tag_the_first_recorded_new(rep):
    lena = ProspectFactory(owner=rep, email="lena@acme.example", phone="+14155550100")
    record_call_events([_call(rep, "+1 415 555 0100")], by=None)
    record_email_events(
        [EmailEvent("m-1", "sent", rep.email, "lena@acme.example", _noon(1))], by=None
    )
    call = CallRecord.objects.get().activity
    email = EmailMessage.objects.get().activity
    assert (call.prospect, call.prospect_status) == (lena, "new")
    assert (email.prospect, email.prospect_status) == (lena, "existing")
    assert not rollups_verify()
