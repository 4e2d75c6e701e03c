import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from tests.factories import RepFactory, TeamFactory
from users import services
from users.models import Role, User


def test_user_create_makes_an_account_without_a_usable_password(admin, team):
    user = services.user_create(
        by=admin, email="Nuevo@Example.com", full_name="Nuevo Rep", role=Role.REP, team=team
    )
    assert user.email == "nuevo@example.com"
    assert not user.has_usable_password()


def test_a_rep_needs_a_team(admin):
    with pytest.raises(ValidationError) as error:
        services.user_create(by=admin, email="x@example.com", full_name="X", role=Role.REP)
    assert "A sales rep needs a team." in error.value.message_dict["team"]
    assert not User.objects.filter(email="x@example.com").exists()


def test_a_manager_is_not_placed_in_a_team(admin, team):
    with pytest.raises(ValidationError) as error:
        services.user_create(
            by=admin, email="m@example.com", full_name="M", role=Role.MANAGER, team=team
        )
    assert "team" in error.value.message_dict


def test_only_admins_manage_users(manager, team):
    with pytest.raises(PermissionDenied):
        services.user_create(by=manager, email="y@example.com", full_name="Y", team=team)


def test_duplicate_email_is_refused_whatever_its_case(admin, rep, team):
    with pytest.raises(ValidationError) as error:
        services.user_create(by=admin, email="ANA@example.com", full_name="Other Ana", team=team)
    assert "email" in error.value.message_dict


def test_database_refuses_a_team_on_a_manager(rep):
    # The rule holds at the database too, not only in the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=rep.pk).update(role=Role.MANAGER)


def test_turning_a_manager_into_a_rep_drops_their_managed_teams(admin, manager, team):
    services.user_update(by=admin, user=manager, role=Role.REP, team=team)
    assert list(manager.managed_teams.all()) == []


def test_admins_cannot_demote_or_deactivate_themselves(admin, team):
    with pytest.raises(ValidationError):
        services.user_update(by=admin, user=admin, role=Role.REP, team=team)
    with pytest.raises(ValidationError):
        services.user_set_active(by=admin, user=admin, active=False)
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
    assert admin.is_active


def test_a_team_with_active_reps_cannot_be_deactivated(admin, rep, team):
    with pytest.raises(ValidationError, match="still has 1 active rep"):
        services.team_set_active(by=admin, team=team, active=False)
    services.user_set_active(by=admin, user=rep, active=False)
    services.team_set_active(by=admin, team=team, active=False)
    team.refresh_from_db()
    assert not team.is_active


def test_reps_cannot_join_a_deactivated_team(admin):
    closed = TeamFactory(name="Closed", is_active=False)
    with pytest.raises(ValidationError, match="deactivated"):
        services.user_create(by=admin, email="z@example.com", full_name="Z", team=closed)


def test_only_managers_manage_teams(admin, team):
    rep = RepFactory(team=team)
    with pytest.raises(ValidationError) as error:
        services.team_update(by=admin, team=team, name="North", region="", managers=[rep])
    assert "managers" in error.value.message_dict


# Team membership history (docs/architecture.md#the-domain-model) ----------------------------------


def _history(rep):
    return list(rep.memberships.values_list("team__name", "start", "end"))


def test_a_new_rep_is_in_their_team_from_the_day_they_joined(admin, team):
    from datetime import date

    rep = services.user_create(
        by=admin, email="n@example.com", full_name="N", team=team, joined_on=date(2026, 2, 2)
    )
    assert _history(rep) == [("North", date(2026, 2, 2), None)]


def test_moving_a_rep_closes_one_membership_and_opens_the_next_on_the_day(
    admin, rep, team, other_team
):
    from datetime import date

    services.user_update(by=admin, user=rep, team=other_team, effective_on=date(2026, 3, 10))
    assert _history(rep) == [
        ("North", date(2024, 1, 1), date(2026, 3, 9)),
        ("South", date(2026, 3, 10), None),
    ]
    rep.refresh_from_db()
    assert rep.team == other_team


@pytest.mark.parametrize(
    ("effective_on", "message"),
    [
        ("future", "A move takes effect today or on a past day."),
        ("before_joining", "joined on 2024-01-01; pick that day or later."),
    ],
)
def test_a_move_cannot_be_dated_in_the_future_or_before_joining(
    admin, rep, other_team, effective_on, message
):
    from datetime import date, timedelta

    from django.utils import timezone

    day = {
        "future": timezone.localdate() + timedelta(days=1),
        "before_joining": date(2023, 12, 31),
    }[effective_on]
    with pytest.raises(ValidationError) as error:
        services.user_update(by=admin, user=rep, team=other_team, effective_on=day)
    assert message in str(error.value.message_dict["effective_on"])
    rep.refresh_from_db()
    assert rep.team.name == "North"
    assert len(_history(rep)) == 1


def test_a_move_on_the_day_a_membership_started_corrects_it(admin, rep, team, other_team):
    from datetime import date

    services.user_update(by=admin, user=rep, team=other_team, effective_on=date(2026, 3, 10))
    services.user_update(by=admin, user=rep, team=team, effective_on=date(2026, 3, 10))
    # Back where they were, as if the move had not happened.
    assert _history(rep) == [("North", date(2024, 1, 1), None)]


def test_deactivating_closes_the_membership_on_the_last_day_and_reactivating_reopens(
    admin, rep, team
):
    from datetime import date, timedelta

    from django.utils import timezone

    today = timezone.localdate()
    services.user_set_active(by=admin, user=rep, active=False, last_day=today - timedelta(days=2))
    rep.refresh_from_db()
    assert (rep.is_active, rep.left_on) == (False, today - timedelta(days=2))
    assert _history(rep) == [("North", date(2024, 1, 1), today - timedelta(days=2))]
    services.user_set_active(by=admin, user=rep, active=True)
    rep.refresh_from_db()
    assert rep.left_on is None
    assert _history(rep) == [
        ("North", date(2024, 1, 1), today - timedelta(days=2)),
        ("North", today, None),
    ]


def test_a_last_day_before_joining_or_in_the_future_is_refused(admin, rep):
    from datetime import date, timedelta

    from django.utils import timezone

    for day in (date(2023, 1, 1), timezone.localdate() + timedelta(days=1)):
        with pytest.raises(ValidationError):
            services.user_set_active(by=admin, user=rep, active=False, last_day=day)
    rep.refresh_from_db()
    assert rep.is_active


def test_promoting_a_rep_ends_their_membership(admin, rep, team):
    from datetime import timedelta

    from django.utils import timezone

    services.user_update(by=admin, user=rep, role=Role.MANAGER, team=None)
    [(team_name, _, end)] = _history(rep)
    assert (team_name, end) == ("North", timezone.localdate() - timedelta(days=1))


def test_changing_joined_on_moves_the_first_membership_with_it(admin, rep):
    from datetime import date

    services.user_update(by=admin, user=rep, joined_on=date(2025, 6, 1))
    assert _history(rep) == [("North", date(2025, 6, 1), None)]


def test_activity_after_a_rep_left_is_refused(admin, rep):
    from datetime import timedelta

    from django.utils import timezone

    from activities.services import check_activity

    left = timezone.localdate() - timedelta(days=3)
    services.user_set_active(by=admin, user=rep, active=False, last_day=left)
    rep.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        check_activity(
            rep=rep, date=left + timedelta(days=1), kind="call", outcome="connected", quantity=1
        )
    assert "left on" in str(error.value.message_dict["date"])
