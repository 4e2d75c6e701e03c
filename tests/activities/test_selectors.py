"""Reads for the activity pages (activities/selectors.py): the Due list, each deal's next
step and an activity's edit history, on a frozen Wednesday (tests/activities/clock.py)."""

from datetime import date, timedelta

from activities import selectors, services
from activities.models import Kind, Outcome
from tests.activities.clock import NOON, WEDNESDAY, call
from tests.factories import ActivityFactory, OpportunityFactory, ProspectFactory

# The Due list -----------------------------------------------------------------------------


def test_the_due_list_splits_overdue_today_and_the_rest_of_this_week(rep, wednesday):
    def follow_up(on, **fields):
        return ActivityFactory(
            rep=rep, date=WEDNESDAY - timedelta(days=9), follow_up_on=on, **fields
        )

    overdue = follow_up(WEDNESDAY - timedelta(days=1))
    today = follow_up(WEDNESDAY)
    sunday = follow_up(date(2026, 11, 22))
    follow_up(date(2026, 11, 23))  # next Monday: next week's list
    follow_up(WEDNESDAY, follow_up_done_at=NOON)  # done
    meeting_today = ActivityFactory(
        rep=rep, date=WEDNESDAY, kind=Kind.MEETING, outcome=Outcome.SCHEDULED
    )
    meeting_friday = ActivityFactory(
        rep=rep, date=date(2026, 11, 20), kind=Kind.MEETING, outcome=Outcome.SCHEDULED
    )
    missed = ActivityFactory(
        rep=rep, date=WEDNESDAY - timedelta(days=7), kind=Kind.MEETING, outcome=Outcome.SCHEDULED
    )
    ActivityFactory(  # past the edit window: history, not a thing to do
        rep=rep, date=WEDNESDAY - timedelta(days=8), kind=Kind.MEETING, outcome=Outcome.SCHEDULED
    )
    ActivityFactory(rep=rep, date=WEDNESDAY, kind=Kind.MEETING, outcome=Outcome.HELD_POSITIVE)
    ActivityFactory(date=WEDNESDAY, follow_up_on=WEDNESDAY)  # someone else's

    due = selectors.due_list(rep, rep=rep, today=WEDNESDAY)

    def pks(group):
        return [item.activity.pk for item in due["groups"][group]]

    assert pks("overdue") == [missed.pk, overdue.pk]
    assert pks("today") == [meeting_today.pk, today.pk]
    assert pks("this_week") == [meeting_friday.pk, sunday.pk]
    assert due["week_end"] == date(2026, 11, 22)
    assert due["count"] == 6


def test_a_deals_next_step_is_its_earliest_open_follow_up_or_meeting(rep, wednesday):
    deal = OpportunityFactory(prospect=ProspectFactory(owner=rep))
    quiet = OpportunityFactory(prospect=ProspectFactory(owner=rep))
    ActivityFactory(
        rep=rep, opportunity=deal, date=WEDNESDAY, follow_up_on=WEDNESDAY + timedelta(5)
    )
    meeting = ActivityFactory(
        rep=rep,
        opportunity=deal,
        date=WEDNESDAY + timedelta(days=2),
        kind=Kind.MEETING,
        outcome=Outcome.SCHEDULED,
    )
    ActivityFactory(
        rep=rep,
        opportunity=deal,
        date=WEDNESDAY,
        follow_up_on=WEDNESDAY + timedelta(1),
        follow_up_done_at=NOON,
    )
    steps = selectors.next_steps(rep, opportunity_ids=[deal.pk, quiet.pk], today=WEDNESDAY)
    assert steps[deal.pk].activity == meeting
    assert steps[deal.pk].is_meeting
    assert quiet.pk not in steps

    # A meeting booked with the deal's prospect, no deal named, is the deal's next step too.
    with_prospect = ActivityFactory(
        rep=rep,
        prospect=quiet.prospect,
        date=WEDNESDAY + timedelta(days=1),
        kind=Kind.MEETING,
        outcome=Outcome.SCHEDULED,
    )
    steps = selectors.next_steps(rep, opportunity_ids=[deal.pk, quiet.pk], today=WEDNESDAY)
    assert steps[quiet.pk].activity == with_prospect
    # …but not the next step of a deal the viewer may not see.
    assert (
        selectors.next_steps(rep, opportunity_ids=[OpportunityFactory().pk], today=WEDNESDAY) == {}
    )


# Edit history -------------------------------------------------------------------------------


def test_the_history_says_who_changed_what_and_when(rep, manager, other_team_manager, wednesday):
    prospect = ProspectFactory(owner=rep, name="Olga Acme")
    activity = services.activity_log(by=rep, rep=rep, prospect_status="new", **call())
    services.activity_update(
        by=rep, activity=activity, outcome=Outcome.VOICEMAIL, prospect=prospect, notes="Left one"
    )
    edits = selectors.activity_edits(manager, activity)
    assert [e["what"] for e in edits] == ["changed", "created"]
    assert edits[0]["who"] == rep
    changes = {label: (old, new) for label, old, new in edits[0]["changes"]}
    assert changes["outcome"] == ("Connected", "Voicemail")
    assert changes["prospect"] == ("—", str(prospect))
    assert changes["notes"] == ("—", "Left one")
    assert selectors.activity_edits(other_team_manager, activity) == []


# The day's totals ---------------------------------------------------------------------------


def test_the_days_totals_count_the_rollup_and_the_rows_in_one_query(
    rep, wednesday, django_assert_num_queries
):
    ActivityFactory(rep=rep, date=WEDNESDAY, kind=Kind.CALL, outcome=Outcome.CONNECTED)
    ActivityFactory(rep=rep, date=WEDNESDAY, quantity=12, kind=Kind.CALL, outcome=Outcome.NO_ANSWER)
    ActivityFactory(rep=rep, date=WEDNESDAY, kind=Kind.EMAIL, outcome=Outcome.SENT)
    ActivityFactory(rep=rep, date=WEDNESDAY - timedelta(days=1))  # another day
    with django_assert_num_queries(1):
        totals = selectors.day_totals(rep, rep=rep, day=WEDNESDAY)
    assert (totals["calls"], totals["connects"], totals["emails"]) == (13, 1, 1)
    assert (totals["all"], totals["rows"]) == (14, 3)  # a tally of 12 is one row

    empty = WEDNESDAY - timedelta(days=2)  # no rollup row: the rows counted on their own
    with django_assert_num_queries(2):
        totals = selectors.day_totals(rep, rep=rep, day=empty)
    assert totals == dict.fromkeys(
        ["calls", "connects", "emails", "meetings_held", "messages", "new_prospects", "all"], 0
    ) | {"rows": 0}
