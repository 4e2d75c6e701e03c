from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from activities import selectors, services
from activities.models import Activity, Kind, Outcome, ProspectStatus, Source
from activities.services import NewOpportunity, NewProspect, TallyLine
from pipeline.models import Opportunity, Prospect
from tests.activities.clock import NOON, WEDNESDAY, call
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    default_stages,
)

MONDAY = date(2026, 11, 16)


@pytest.fixture
def prospect(rep):
    return ProspectFactory(owner=rep, name="Acme buyer")


def log(rep, **fields):
    values = {"date": MONDAY, "kind": Kind.CALL, "outcome": Outcome.CONNECTED} | fields
    return services.activity_log(by=rep, rep=rep, **values)


def test_the_first_activity_with_a_prospect_is_new_and_later_ones_existing(rep, prospect):
    first = log(rep, prospect=prospect)
    second = log(rep, prospect=prospect, kind=Kind.EMAIL, outcome=Outcome.SENT)

    assert first.prospect_status == ProspectStatus.NEW
    assert second.prospect_status == ProspectStatus.EXISTING


def test_new_means_new_to_the_organisation_not_to_the_rep(rep, prospect, team):
    teammate = RepFactory(team=team)
    log(rep, prospect=prospect)
    theirs = log(teammate, prospect=prospect, date=MONDAY + timedelta(days=1))
    assert theirs.prospect_status == ProspectStatus.EXISTING


def test_a_back_dated_first_contact_turns_the_later_one_existing(rep, prospect):
    later = log(rep, prospect=prospect, date=MONDAY)
    earlier = log(rep, prospect=prospect, date=MONDAY - timedelta(days=3))
    later.refresh_from_db()

    assert earlier.prospect_status == ProspectStatus.NEW
    assert later.prospect_status == ProspectStatus.EXISTING


def test_deleting_the_first_contact_makes_the_next_one_new(rep, prospect):
    first = log(rep, prospect=prospect, date=MONDAY - timedelta(days=1))
    second = log(rep, prospect=prospect)
    services.activity_delete(by=rep, activity=first)
    second.refresh_from_db()
    assert second.prospect_status == ProspectStatus.NEW


def test_without_a_prospect_the_rep_says_new_or_existing(rep):
    with pytest.raises(ValidationError) as error:
        log(rep)
    assert "prospect_status" in error.value.message_dict
    assert log(rep, prospect_status=ProspectStatus.EXISTING).prospect_status == "existing"


def test_an_opportunity_brings_its_prospect(rep, prospect):
    deal = OpportunityFactory(prospect=prospect, owner=rep)
    activity = log(rep, opportunity=deal)
    assert activity.prospect == prospect


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -3}, "quantity"),
        ({"quantity": 501}, "quantity"),
        ({"outcome": Outcome.SENT}, "outcome"),
        ({"kind": "fax"}, "kind"),
        ({"date": date(2023, 12, 31)}, "date"),
        ({"duration_minutes": 1441}, "duration_minutes"),
        ({"follow_up_on": MONDAY - timedelta(days=1)}, "follow_up_on"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_saved(rep, fields, field):
    with pytest.raises(ValidationError) as error:
        log(rep, prospect_status=ProspectStatus.NEW, **fields)
    assert field in error.value.message_dict
    assert not Activity.objects.exists()


def test_dates_in_the_future_are_refused_except_a_scheduled_meeting(rep):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="in the future"):
        log(rep, date=tomorrow, prospect_status=ProspectStatus.NEW)
    meeting = log(
        rep,
        date=tomorrow,
        kind=Kind.MEETING,
        outcome=Outcome.SCHEDULED,
        prospect_status=ProspectStatus.NEW,
    )
    assert meeting.date == tomorrow


def test_dates_before_the_rep_joined_are_refused(rep):
    with pytest.raises(ValidationError, match="joined on 2024-01-01"):
        log(rep, date=date(2023, 12, 29), prospect_status=ProspectStatus.NEW)


def test_a_prospect_of_another_team_is_refused(rep, other_team_rep):
    theirs = ProspectFactory(owner=other_team_rep)
    with pytest.raises(ValidationError) as error:
        log(rep, prospect=theirs)
    assert "prospect" in error.value.message_dict


def test_an_opportunity_of_another_rep_is_refused(rep, team):
    teammate = RepFactory(team=team)
    theirs = OpportunityFactory(prospect=ProspectFactory(owner=teammate))
    with pytest.raises(ValidationError) as error:
        log(rep, opportunity=theirs)
    assert "opportunity" in error.value.message_dict


def test_a_manager_cannot_log_for_a_rep(rep, manager):
    with pytest.raises(PermissionDenied):
        services.activity_log(
            by=manager,
            rep=rep,
            date=MONDAY,
            kind=Kind.CALL,
            outcome=Outcome.CONNECTED,
            prospect_status=ProspectStatus.NEW,
        )


def test_the_database_refuses_an_outcome_of_another_kind_and_bad_quantities(rep):
    activity = log(rep, prospect_status=ProspectStatus.NEW)
    for change in [{"outcome": Outcome.HELD_POSITIVE}, {"quantity": 0}, {"quantity": 501}]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Activity.objects.filter(pk=activity.pk).update(**change)


def test_edits_are_locked_after_seven_days_except_for_admins(rep, admin):
    long_ago = timezone.localdate() - timedelta(days=8)
    activity = log(rep, prospect_status=ProspectStatus.NEW, date=long_ago)
    Activity.objects.filter(pk=activity.pk).update(created_at=timezone.now() - timedelta(days=8))
    activity.refresh_from_db()

    with pytest.raises(ValidationError, match="locked"):
        services.activity_update(by=rep, activity=activity, quantity=2)
    with pytest.raises(ValidationError, match="locked"):
        services.activity_delete(by=rep, activity=activity)

    services.activity_update(by=admin, activity=activity, quantity=2)
    latest = activity.history.first()
    assert latest.history_user == admin
    assert latest.quantity == 2


def test_an_edit_within_the_window_is_kept_in_the_history(rep):
    activity = log(rep, prospect_status=ProspectStatus.NEW)
    services.activity_update(by=rep, activity=activity, quantity=3, notes="left a message")

    latest, first = activity.history.all()[:2]
    changed = {c.field for c in latest.diff_against(first).changes}
    assert changed >= {"quantity", "notes"}
    assert latest.history_user == rep


def test_a_rep_cannot_edit_someone_elses_activity(rep, team):
    teammate = RepFactory(team=team)
    theirs = ActivityFactory(rep=teammate)
    with pytest.raises(PermissionDenied):
        services.activity_update(by=rep, activity=theirs, quantity=2)


def test_a_daily_tally_saves_every_line_as_a_tally_row(rep):
    rows = services.activity_log_tally(
        by=rep,
        rep=rep,
        date=MONDAY,
        lines=[
            TallyLine(Kind.CALL, Outcome.CONNECTED, ProspectStatus.NEW, 12),
            TallyLine(Kind.CALL, Outcome.NO_ANSWER, ProspectStatus.NEW, 28),
            TallyLine(Kind.EMAIL, Outcome.SENT, ProspectStatus.EXISTING, 6),
            TallyLine(Kind.MESSAGE, Outcome.SENT, ProspectStatus.EXISTING, 0),
        ],
    )
    assert len(rows) == 3
    assert sum(r.quantity for r in Activity.objects.filter(kind=Kind.CALL)) == 40
    assert set(Activity.objects.values_list("source", flat=True)) == {Source.TALLY}


def test_a_tally_with_one_bad_line_saves_nothing(rep):
    with pytest.raises(ValidationError):
        services.activity_log_tally(
            by=rep,
            rep=rep,
            date=MONDAY,
            lines=[
                TallyLine(Kind.CALL, Outcome.CONNECTED, ProspectStatus.NEW, 12),
                TallyLine(Kind.EMAIL, Outcome.SENT, ProspectStatus.NEW, 900),
            ],
        )
    assert not Activity.objects.exists()


def test_logging_one_activity_takes_a_handful_of_queries(
    rep, prospect, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    log(rep, prospect=prospect)  # the prospect already has history
    # Today's activity, with what runs after the commit
    # (docs/operations.md#benchmarks-and-the-load-test: at most 10 queries, the rollup update
    # included).
    with (
        django_assert_max_num_queries(10),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        log(
            rep,
            prospect=prospect,
            kind=Kind.EMAIL,
            outcome=Outcome.SENT,
            date=timezone.localdate(),
        )
    assert len(callbacks) == 1


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


# Ticking off the Due list: follow-ups and booked meetings -----------------------------------


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
