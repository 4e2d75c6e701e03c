import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from salestrack.users import services
from salestrack.users.models import Role, User
from tests.factories import RepFactory, TeamFactory


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
