"""The edit window is real (docs/metrics.md#the-edit-window): a rep logs and moves activity
only to dates from today − 7 on, and cannot change a row dated before that whenever it
was logged; a manager of the rep's team or an admin corrects older activity, with a
reason kept in the history. Imports by managers and admins back-fill older history."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activities import selectors, services
from activities.models import Activity, DailyRollup, Kind, Outcome, ProspectStatus
from activities.rollups import rollups_verify
from imports.framework import run_import

HTMX = {"HX-Request": "true"}


@pytest.fixture
def today():
    return timezone.localdate()


def _log(by, rep, day, **fields):
    values = {
        "kind": Kind.MEETING,
        "outcome": Outcome.HELD_POSITIVE,
        "prospect_status": ProspectStatus.NEW,
    } | fields
    return services.activity_log(by=by, rep=rep, date=day, **values)


def _positive_meetings(rep, day):
    row = DailyRollup.objects.filter(rep=rep, day=day).values_list("positive_meetings", flat=True)
    return row.first() or 0


@pytest.fixture
def old_row(rep, today):
    """A meeting held 20 days ago, logged then (as the demo's rows and imports are)."""
    return _log(None, rep, today - timedelta(days=20))


# A rep: the last seven days only ------------------------------------------------------------


def test_a_rep_cannot_log_a_meeting_sixty_days_back(rep, today):
    sixty_days_ago = today - timedelta(days=60)
    for _ in range(3):
        _log(None, rep, sixty_days_ago)  # that day's real meetings, imported

    with pytest.raises(ValidationError) as refused:
        _log(rep, rep, sixty_days_ago)

    message = " ".join(refused.value.message_dict["date"])
    assert f"before {today - timedelta(days=7):%-d %B %Y} is locked" in message
    assert "imports" in message
    assert _positive_meetings(rep, sixty_days_ago) == 3
    assert Activity.objects.filter(rep=rep).count() == 3


@pytest.mark.parametrize(("back", "allowed"), [(7, True), (8, False)])
def test_the_window_starts_seven_days_back(rep, today, back, allowed):
    day = today - timedelta(days=back)
    if allowed:
        assert _log(rep, rep, day).date == day
    else:
        with pytest.raises(ValidationError, match="locked"):
            _log(rep, rep, day)


def test_a_meeting_may_be_booked_ahead_but_nothing_else_is_in_the_future(rep, today):
    ahead = today + timedelta(days=21)
    booked = _log(rep, rep, ahead, outcome=Outcome.SCHEDULED)
    assert booked.date == ahead
    with pytest.raises(ValidationError, match="future"):
        _log(rep, rep, ahead)


def test_a_tally_and_a_quick_add_with_a_new_prospect_are_held_to_the_window_too(rep, today):
    long_ago = today - timedelta(days=30)
    with pytest.raises(ValidationError, match="locked"):
        services.activity_log_tally(
            by=rep,
            rep=rep,
            date=long_ago,
            lines=[services.TallyLine(Kind.CALL, Outcome.CONNECTED, ProspectStatus.NEW, 50)],
        )
    with pytest.raises(ValidationError) as refused:
        services.activity_log_with_new(
            by=rep,
            rep=rep,
            new_prospect=services.NewProspect("Back-dated Ltd"),
            date=long_ago,
            kind=Kind.MEETING,
            outcome=Outcome.HELD_POSITIVE,
        )
    assert "locked" in refused.value.message_dict["date"][0]
    assert not Activity.objects.exists()
    assert not rollups_verify()


def test_a_rep_cannot_move_todays_row_to_forty_five_days_ago(rep, today):
    row = _log(rep, rep, today)
    with pytest.raises(ValidationError) as refused:
        services.activity_update(by=rep, activity=row, date=today - timedelta(days=45))

    assert "locked" in refused.value.message_dict["date"][0]
    row.refresh_from_db()
    assert row.date == today
    assert _positive_meetings(rep, today) == 1
    assert not rollups_verify()


def test_a_rep_cannot_change_or_delete_an_old_row_whenever_it_was_logged(rep, today):
    # Imported today, dated 20 days ago: locked all the same.
    row = _log(None, rep, today - timedelta(days=20))
    assert row.created_at.date() == today
    assert services.is_locked(row)
    with pytest.raises(ValidationError, match="locked"):
        services.activity_update(by=rep, activity=row, quantity=5)
    with pytest.raises(ValidationError, match="locked"):
        services.activity_update(by=rep, activity=row, date=today)
    with pytest.raises(ValidationError, match="locked"):
        services.activity_delete(by=rep, activity=row)
    assert Activity.objects.get(pk=row.pk).quantity == 1


# Corrections: a manager of the rep's team, or an admin, with a reason ------------------------


def test_a_manager_corrects_an_old_row_of_their_team_with_a_reason_kept_in_history(
    rep, manager, old_row
):
    with pytest.raises(ValidationError) as no_reason:
        services.activity_update(by=manager, activity=old_row, quantity=2)
    assert "reason" in no_reason.value.message_dict

    services.activity_update(
        by=manager, activity=old_row, quantity=2, reason="Two meetings, logged as one"
    )

    latest = old_row.history.first()
    assert (latest.quantity, latest.history_user) == (2, manager)
    assert latest.history_change_reason == "Two meetings, logged as one"
    edits = selectors.activity_edits(manager, old_row)
    assert edits[0]["reason"] == "Two meetings, logged as one"
    assert _positive_meetings(rep, old_row.date) == 2
    assert not rollups_verify()


def test_the_first_correction_of_a_row_written_without_history_reads_as_a_change(
    rep, manager, old_row
):
    # The demo seeder writes its rows without history: the correction must not read as
    # the manager logging the row.
    Activity.history.filter(id=old_row.pk).delete()
    services.activity_update(by=manager, activity=old_row, quantity=2, reason="Two, not one")

    changed, logged = selectors.activity_edits(manager, old_row)
    assert (changed["what"], changed["who"], changed["reason"]) == (
        "changed",
        manager,
        "Two, not one",
    )
    assert changed["unrecorded"] is True
    assert (logged["what"], logged["who"], logged["when"]) == ("created", None, old_row.created_at)


def test_a_manager_deletes_an_old_row_with_the_reason_on_the_deletion(rep, manager, old_row):
    pk = old_row.pk
    services.activity_delete(by=manager, activity=old_row, reason="Logged twice")

    deletion = Activity.history.filter(id=pk).first()
    assert (deletion.history_type, deletion.history_change_reason) == ("-", "Logged twice")
    assert _positive_meetings(rep, old_row.date) == 0


def test_a_manager_of_another_team_cannot_correct_it(other_team_manager, old_row):
    with pytest.raises(PermissionDenied):
        services.activity_update(
            by=other_team_manager, activity=old_row, quantity=2, reason="Not mine"
        )
    with pytest.raises(PermissionDenied):
        services.activity_delete(by=other_team_manager, activity=old_row, reason="Not mine")
    assert Activity.objects.get(pk=old_row.pk).quantity == 1


def test_an_admin_corrects_anyones_old_row_with_a_reason(rep, admin, old_row, today):
    earlier = today - timedelta(days=40)
    with pytest.raises(ValidationError, match="reason"):
        services.activity_update(by=admin, activity=old_row, date=earlier, reason="  ")
    with pytest.raises(ValidationError, match="100 characters"):
        services.activity_update(by=admin, activity=old_row, date=earlier, reason="x" * 101)

    services.activity_update(by=admin, activity=old_row, date=earlier, reason="Wrong day")

    old_row.refresh_from_db()
    assert old_row.date == earlier
    assert old_row.history.first().history_change_reason == "Wrong day"
    assert _positive_meetings(rep, earlier) == 1
    assert not rollups_verify()


def test_an_import_by_a_manager_back_fills_older_history(rep, manager, today):
    day = today - timedelta(days=60)
    data = (
        "date,rep_email,kind,outcome,prospect_status,quantity\n"
        f"{day},{rep.email},meeting,held_positive,new,3\n"
    ).encode()
    assert run_import("activities", data, by=manager).ok
    assert _positive_meetings(rep, day) == 3


# The pages -----------------------------------------------------------------------------------


def test_the_quick_add_form_refuses_sixty_days_back_next_to_the_date(client, rep, today):
    client.force_login(rep)
    response = client.post(
        "/my-day/log/",
        {
            "kind": Kind.MEETING,
            "outcome": Outcome.HELD_POSITIVE,
            "quantity": 1,
            "date": (today - timedelta(days=60)).isoformat(),
            "prospect_status": ProspectStatus.NEW,
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "locked" in " ".join(response.context["form"].errors["date"])
    assert "imports" in response.text
    assert not Activity.objects.exists()


def test_the_edit_form_refuses_a_move_to_forty_five_days_ago(client, rep, today):
    row = _log(rep, rep, today)
    client.force_login(rep)
    prefix = f"edit-{row.pk}"
    response = client.post(
        f"/my-day/activities/{row.pk}/edit/",
        {
            f"{prefix}-kind": Kind.MEETING,
            f"{prefix}-outcome": Outcome.HELD_POSITIVE,
            f"{prefix}-quantity": 1,
            f"{prefix}-date": (today - timedelta(days=45)).isoformat(),
            f"{prefix}-prospect_status": ProspectStatus.NEW,
        },
    )
    assert "locked" in " ".join(response.context["edit_form"].errors["date"])
    row.refresh_from_db()
    assert row.date == today


def test_the_activity_log_shows_old_rows_locked_and_offers_no_edit(client, rep, old_row, today):
    recent = _log(rep, rep, today)
    client.force_login(rep)
    page = client.get("/activities/")

    assert f"/my-day/activities/{recent.pk}/edit/" in page.text
    assert f"/my-day/activities/{old_row.pk}/edit/" not in page.text
    assert f"/my-day/activities/{old_row.pk}/delete/" not in page.text
    assert "Locked" in page.text


def test_the_edit_page_of_an_old_row_says_it_is_locked_and_who_corrects_it(client, rep, old_row):
    client.force_login(rep)
    page = client.get(f"/my-day/activities/{old_row.pk}/edit/")
    assert "this activity is locked" in page.text
    assert "Your manager or an admin can correct it" in page.text
    assert "<form" not in page.text.split('id="activity-')[1]  # nothing to fill in and save
    assert f"/activities/{old_row.pk}/history/" in page.text
    refused = client.post(f"/my-day/activities/{old_row.pk}/delete/", follow=True)
    assert "is locked" in refused.text
    assert Activity.objects.filter(pk=old_row.pk).exists()


def test_the_history_page_shows_the_reason_of_a_correction(client, manager, old_row):
    services.activity_update(by=manager, activity=old_row, quantity=2, reason="Two meetings")
    client.force_login(manager)
    page = client.get(f"/activities/{old_row.pk}/history/")
    assert "Reason: Two meetings" in page.text


def test_a_manager_corrects_an_old_row_on_its_page_with_a_reason(client, rep, manager, old_row):
    client.force_login(manager)
    log = client.get("/activities/")
    url = f"/activities/{old_row.pk}/correct/"
    assert url in log.text
    page = client.get(url)
    assert "locked for its rep" in page.text
    fields = {
        "correct-kind": Kind.MEETING,
        "correct-outcome": Outcome.HELD_POSITIVE,
        "correct-quantity": 2,
        "correct-date": old_row.date.isoformat(),
        "correct-prospect_status": ProspectStatus.NEW,
        "next": "/activities/",
    }

    refused = client.post(url, fields)
    assert "Say why you correct this activity" in refused.text
    assert Activity.objects.get(pk=old_row.pk).quantity == 1

    saved = client.post(url, fields | {"correct-reason": "Two meetings that day"})
    assert saved.status_code == 302
    assert old_row.history.first().history_change_reason == "Two meetings that day"
    assert _positive_meetings(rep, old_row.date) == 2

    deleted = client.post(url, {"delete": "", "correct-reason": "Logged twice"})
    assert deleted.status_code == 302
    assert not Activity.objects.filter(pk=old_row.pk).exists()
    assert not rollups_verify()


def test_a_manager_of_another_team_finds_no_correction_page(client, other_team_manager, old_row):
    client.force_login(other_team_manager)
    assert client.get(f"/activities/{old_row.pk}/correct/").status_code == 404
    assert client.post(f"/activities/{old_row.pk}/correct/", {"delete": ""}).status_code == 404
    assert Activity.objects.filter(pk=old_row.pk).exists()


def test_a_managers_correction_stays_on_the_days_the_rep_was_in_their_team(
    rep, manager, other_team, admin, today
):
    from users import services as user_services

    # Ana moved to South ten days ago: North's manager corrects her North days only.
    user_services.user_update(
        by=admin, user=rep, team=other_team, effective_on=today - timedelta(days=10)
    )
    north_day = _log(None, rep, today - timedelta(days=20))
    south_day = _log(None, rep, today - timedelta(days=9))

    with pytest.raises(PermissionDenied):
        services.activity_update(
            by=manager, activity=north_day, date=today - timedelta(days=9), reason="Wrong day"
        )
    with pytest.raises(PermissionDenied):
        services.activity_delete(by=manager, activity=south_day, reason="Not North's")
    assert Activity.objects.get(pk=north_day.pk).date == today - timedelta(days=20)
    services.activity_update(
        by=manager, activity=north_day, date=today - timedelta(days=15), reason="Wrong day"
    )
    assert not rollups_verify()
