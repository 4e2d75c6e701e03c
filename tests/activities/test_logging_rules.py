"""Issue 14's rules for logging: creating what is missing with the activity, the edit
window, the Due list and each deal's next step, and the edit history."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activities import selectors, services
from activities.models import Activity, Kind, Outcome, ProspectStatus
from activities.services import NewOpportunity, NewProspect
from pipeline.models import Opportunity, Prospect
from tests.factories import ActivityFactory, OpportunityFactory, ProspectFactory, default_stages

WEDNESDAY = date(2026, 11, 18)
NOON = timezone.make_aware(datetime(2026, 11, 18, 12, 0))


@pytest.fixture
def wednesday(freeze_time):
    return freeze_time(NOON)


def call(**fields):
    return {"date": WEDNESDAY, "kind": Kind.CALL, "outcome": Outcome.CONNECTED} | fields


# Creating a missing prospect (and deal) with the activity ----------------------------------


def test_a_new_prospect_is_created_with_the_activity_and_counts_as_new(rep, wednesday):
    activity = services.activity_log_with_new(
        by=rep, rep=rep, new_prospect=NewProspect("Zoltan Newcomb", "Newcomb Freight"), **call()
    )
    prospect = Prospect.objects.get()
    assert (prospect.name, prospect.company, prospect.owner) == (
        "Zoltan Newcomb",
        "Newcomb Freight",
        rep,
    )
    assert prospect.created_on == WEDNESDAY
    assert (activity.prospect, activity.prospect_status) == (prospect, ProspectStatus.NEW)


def test_a_back_dated_activity_starts_its_new_prospect_on_that_day(rep, wednesday):
    services.activity_log_with_new(
        by=rep,
        rep=rep,
        new_prospect=NewProspect("Early Bird"),
        **call(date=WEDNESDAY - timedelta(3)),
    )
    assert Prospect.objects.get().created_on == WEDNESDAY - timedelta(3)


def test_a_bad_activity_leaves_no_prospect_behind(rep, wednesday):
    with pytest.raises(ValidationError) as error:
        services.activity_log_with_new(
            by=rep,
            rep=rep,
            new_prospect=NewProspect("Zoltan Newcomb"),
            **call(date=WEDNESDAY + timedelta(days=2)),
        )
    assert "in the future" in str(error.value.message_dict["date"])
    assert not Prospect.objects.exists()
    assert not Activity.objects.exists()


def test_a_bad_new_prospect_is_named_under_its_own_field_and_nothing_is_saved(rep, wednesday):
    with pytest.raises(ValidationError) as error:
        services.activity_log_with_new(
            by=rep, rep=rep, new_prospect=NewProspect("<b>Zoltan</b>"), **call()
        )
    assert "new_prospect_name" in error.value.message_dict
    assert not Prospect.objects.exists()
    assert not Activity.objects.exists()


def test_a_meeting_opens_a_new_deal_for_a_new_prospect_in_one_step(rep, wednesday):
    default_stages()
    meeting = services.activity_log_with_new(
        by=rep,
        rep=rep,
        new_prospect=NewProspect("Vera Quist"),
        new_opportunity=NewOpportunity("Quist fleet", Decimal("18000"), "recurring"),
        **call(kind=Kind.MEETING, outcome=Outcome.HELD_POSITIVE),
    )
    deal = Opportunity.objects.get()
    assert (deal.prospect.name, deal.owner, deal.amount, deal.opened_on) == (
        "Vera Quist",
        rep,
        Decimal("18000"),
        WEDNESDAY,
    )
    assert deal.stage_changes.count() == 1  # through opportunity_open, with its history
    assert (meeting.opportunity, meeting.prospect) == (deal, deal.prospect)


def test_a_meeting_opens_a_new_deal_with_a_prospect_already_known(rep, wednesday):
    default_stages()
    known = ProspectFactory(owner=rep)
    meeting = services.activity_log_with_new(
        by=rep,
        rep=rep,
        new_opportunity=NewOpportunity("Upsell", Decimal("500"), "one_time"),
        **call(kind=Kind.MEETING, outcome=Outcome.HELD_NEUTRAL, prospect=known),
    )
    assert meeting.opportunity.prospect == known


@pytest.mark.parametrize(
    ("fields", "new_opportunity", "field", "message"),
    [
        ({}, NewOpportunity("Deal", Decimal(1), "recurring"), "__all__", "comes from a meeting"),
        (
            {"kind": Kind.MEETING, "outcome": Outcome.HELD_POSITIVE},
            NewOpportunity("Deal", Decimal(-5), "recurring"),
            "__all__",  # the model's check constraint (the form refuses it first)
            "cannot be negative",
        ),
        (
            {"kind": Kind.MEETING, "outcome": Outcome.HELD_POSITIVE},
            NewOpportunity("Deal", Decimal(1), "recurring", WEDNESDAY - timedelta(1)),
            "new_opportunity_expected_close_on",
            "comes after the deal opens",
        ),
    ],
)
def test_a_bad_new_deal_saves_nothing(rep, wednesday, fields, new_opportunity, field, message):
    default_stages()
    with pytest.raises(ValidationError) as error:
        services.activity_log_with_new(
            by=rep,
            rep=rep,
            new_prospect=NewProspect("Vera Quist"),
            new_opportunity=new_opportunity,
            **call(**fields),
        )
    assert message in " ".join(error.value.message_dict[field])
    assert not Prospect.objects.exists()
    assert not Opportunity.objects.exists()
    assert not Activity.objects.exists()


def test_a_deal_needs_a_prospect(rep, wednesday):
    with pytest.raises(ValidationError, match="Pick or create the prospect"):
        services.activity_log_with_new(
            by=rep,
            rep=rep,
            new_opportunity=NewOpportunity("Deal", Decimal(1), "recurring"),
            **call(kind=Kind.MEETING, outcome=Outcome.HELD_POSITIVE, prospect_status="new"),
        )


# The edit window, on a frozen clock ---------------------------------------------------------


@pytest.mark.parametrize(
    ("days_ago", "locked"),
    # Open for 7 days after logging and after its day: a row logged on its day locks when
    # the eighth day begins.
    [(6, False), (7, False), (7.4, False), (8, True), (9, True)],
)
def test_the_edit_window_closes_seven_days_after_logging(rep, freeze_time, days_ago, locked):
    logged_at = NOON - timedelta(days=20)
    freeze_time(logged_at)
    activity = services.activity_log(
        by=rep, rep=rep, prospect_status="new", **call(date=logged_at.date())
    )
    freeze_time(logged_at + timedelta(days=days_ago))
    assert services.is_locked(activity) is locked
    if locked:
        with pytest.raises(ValidationError, match="locked"):
            services.activity_update(by=rep, activity=activity, quantity=2)
    else:
        services.activity_update(by=rep, activity=activity, quantity=2)


@pytest.mark.parametrize(("days_after", "locked"), [(6, False), (7, False), (8, True)])
def test_a_meeting_booked_ahead_stays_open_for_seven_days_after_its_day(
    rep, freeze_time, days_after, locked
):
    freeze_time(NOON - timedelta(days=30))
    meeting = services.activity_log(
        by=rep,
        rep=rep,
        prospect_status="new",
        **call(date=WEDNESDAY, kind=Kind.MEETING, outcome=Outcome.SCHEDULED),
    )
    freeze_time(NOON + timedelta(days=days_after))
    assert services.is_locked(meeting) is locked


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


def test_a_follow_up_is_ticked_off_or_moved_whatever_the_edit_window(rep, wednesday):
    old = ActivityFactory(rep=rep, date=WEDNESDAY - timedelta(days=30), follow_up_on=WEDNESDAY)
    Activity.objects.filter(pk=old.pk).update(created_at=NOON - timedelta(days=30))
    old.refresh_from_db()

    services.follow_up_move(by=rep, activity=old, to=WEDNESDAY + timedelta(days=1))
    assert old.follow_up_on == WEDNESDAY + timedelta(days=1)
    with pytest.raises(ValidationError, match="today or later"):
        services.follow_up_move(by=rep, activity=old, to=WEDNESDAY - timedelta(days=1))
    services.follow_up_done(by=rep, activity=old)
    old.refresh_from_db()
    assert old.follow_up_done_at == NOON
    assert old.follow_up_on == WEDNESDAY + timedelta(days=1)  # still counts as a follow-up
    assert not selectors.due_list(rep, rep=rep, today=WEDNESDAY)["count"]


def test_only_the_rep_ticks_off_their_follow_ups(rep, team, wednesday):
    theirs = ActivityFactory(date=WEDNESDAY, follow_up_on=WEDNESDAY)
    with pytest.raises(PermissionDenied):
        services.follow_up_done(by=rep, activity=theirs)


def test_a_booked_meeting_gets_its_outcome_or_moves(rep, wednesday):
    meeting = ActivityFactory(rep=rep, date=WEDNESDAY, kind=Kind.MEETING, outcome=Outcome.SCHEDULED)
    later = ActivityFactory(
        rep=rep, date=WEDNESDAY + timedelta(days=2), kind=Kind.MEETING, outcome=Outcome.SCHEDULED
    )
    with pytest.raises(ValidationError, match="not happened yet"):
        services.meeting_record_outcome(by=rep, activity=later, outcome=Outcome.HELD_POSITIVE)
    with pytest.raises(ValidationError, match="how the meeting went"):
        services.meeting_record_outcome(by=rep, activity=meeting, outcome=Outcome.SENT)

    services.meeting_record_outcome(by=rep, activity=meeting, outcome=Outcome.HELD_POSITIVE)
    assert Activity.objects.get(pk=meeting.pk).outcome == Outcome.HELD_POSITIVE
    with pytest.raises(ValidationError, match="Only a booked meeting"):
        services.meeting_reschedule(by=rep, activity=meeting, to=WEDNESDAY)

    services.meeting_reschedule(by=rep, activity=later, to=WEDNESDAY + timedelta(days=6))
    assert Activity.objects.get(pk=later.pk).date == WEDNESDAY + timedelta(days=6)


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


def test_the_history_says_who_changed_what_and_when(rep, manager, other_team_manager):
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
