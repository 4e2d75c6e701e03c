import pytest
from django.core import mail

from tests.factories import RepFactory, TeamFactory
from users.models import Role, User

ADMIN_PAGES = [
    "/settings/",
    "/settings/users/",
    "/settings/users/new/",
    "/settings/teams/",
    "/settings/teams/new/",
]


@pytest.mark.parametrize("persona", ["rep", "manager", "other_team_rep"])
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_only_admins_open_the_users_and_teams_pages(client, request, persona, url):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admins_open_the_users_and_teams_pages(client, admin, url):
    client.force_login(admin)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("persona", "url", "status"),
    [
        ("rep", "/my-day/", 200),
        ("rep", "/team/", 403),
        ("manager", "/my-day/", 403),
        ("manager", "/team/", 200),
        ("admin", "/my-day/", 403),
        ("admin", "/team/", 200),
    ],
)
def test_role_homes(client, request, persona, url, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == status


def test_a_forbidden_page_explains_itself(client, rep):
    client.force_login(rep)
    response = client.get("/settings/users/")
    assert "This page is not for your role" in response.text


def test_rep_home_is_my_day_with_their_name_and_team(client, rep):
    client.force_login(rep)
    text = client.get("/my-day/").text
    assert "Ana García" in text
    assert "North" in text
    assert "Log an activity" in text


def test_manager_home_lists_only_their_teams(client, manager, rep, other_team_rep):
    client.force_login(manager)
    text = client.get("/team/").text
    assert "North" in text
    assert "South" not in text


def test_navigation_is_role_aware(client, rep, admin):
    client.force_login(rep)
    text = client.get("/my-day/").text
    assert 'href="/my-day/"' in text
    assert 'href="/settings/"' not in text
    client.force_login(admin)
    text = client.get("/settings/").text
    assert 'href="/settings/"' in text
    assert 'href="/team/"' in text


def test_admin_adds_a_rep(client, admin, team):
    client.force_login(admin)
    response = client.post(
        "/settings/users/new/",
        {
            "full_name": "Nuria Prieto",
            "email": "nuria@example.com",
            "role": Role.REP,
            "team": team.pk,
            "joined_on": "2026-03-02",
        },
    )
    created = User.objects.get(email="nuria@example.com")
    assert response.status_code == 302
    assert created.team == team
    assert str(created.joined_on) == "2026-03-02"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": "ana@example.com"}, "email", "Another user already has this email."),
        ({"team": ""}, "team", "A sales rep needs a team."),
        (
            {"role": "boss"},
            "role",
            "Select a valid choice. boss is not one of the available choices.",
        ),
        ({"joined_on": "2026-02-30"}, "joined_on", "Enter a valid date."),
        ({"full_name": ""}, "full_name", "This field is required."),
    ],
)
def test_bad_user_input_is_shown_next_to_the_field_and_nothing_is_saved(
    client, admin, rep, team, data, field, message
):
    client.force_login(admin)
    before = User.objects.count()
    form = {
        "full_name": "Someone",
        "email": "someone@example.com",
        "role": Role.REP,
        "team": team.pk,
        "joined_on": "2026-01-05",
        **data,
    }

    response = client.post("/settings/users/new/", form)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert message in response.text
    assert User.objects.count() == before


def test_admin_edits_and_deactivates_a_rep(client, admin, rep, other_team):
    client.force_login(admin)
    client.post(
        f"/settings/users/{rep.pk}/",
        {
            "full_name": "Ana García López",
            "email": rep.email,
            "role": Role.REP,
            "team": other_team.pk,
            "joined_on": "2024-01-01",
        },
    )
    client.post(f"/settings/users/{rep.pk}/active/", {"active": "0"})
    rep.refresh_from_db()
    assert rep.full_name == "Ana García López"
    assert rep.team == other_team
    assert not rep.is_active


def test_admin_sends_a_set_password_email(client, admin, rep):
    client.force_login(admin)
    client.post(f"/settings/users/{rep.pk}/password-email/")
    assert mail.outbox[0].to == [rep.email]


def test_user_list_filters_and_answers_htmx_with_the_results_only(client, admin, rep, manager):
    client.force_login(admin)
    full = client.get("/settings/users/", {"q": "ana", "status": "active"})
    partial = client.get("/settings/users/", {"q": "ana"}, headers={"HX-Request": "true"})

    assert "Ana García" in full.text
    assert "Marta Ruiz" not in full.text
    assert "<html" in full.text
    assert "<html" not in partial.text
    assert "Ana García" in partial.text
    assert "Marta Ruiz" not in partial.text


def test_user_list_query_count_does_not_grow_with_users(
    client, admin, django_assert_max_num_queries
):
    teams = [TeamFactory() for _ in range(5)]
    RepFactory.create_batch(60, team=teams[0])
    for team in teams[1:]:
        RepFactory.create_batch(5, team=team)
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        response = client.get("/settings/users/")
    assert response.status_code == 200
    assert "81 users" in response.text


def test_admin_creates_a_team_with_a_manager(client, admin, manager):
    client.force_login(admin)
    client.post(
        "/settings/teams/new/", {"name": "East", "region": "Bogotá", "managers": [manager.pk]}
    )
    team = manager.managed_teams.get(name="East")
    assert team.region == "Bogotá"


def test_team_names_are_unique_whatever_their_case(client, admin, team):
    client.force_login(admin)
    response = client.post("/settings/teams/new/", {"name": "north", "region": ""})
    assert "There is already a team with this name." in response.text


def test_deactivating_a_team_with_reps_explains_why_not(client, admin, rep, team):
    client.force_login(admin)
    response = client.post(f"/settings/teams/{team.pk}/active/", {"active": "0"}, follow=True)
    assert "still has 1 active rep" in response.text
    team.refresh_from_db()
    assert team.is_active


def test_an_admin_moves_a_rep_from_a_date_and_sees_the_history(client, admin, rep, other_team):

    client.force_login(admin)
    page = client.get(f"/settings/users/{rep.pk}/")
    assert "A new team or role takes effect on" in page.text
    assert "Teams over time" in page.text
    response = client.post(
        f"/settings/users/{rep.pk}/",
        {
            "full_name": rep.full_name,
            "email": rep.email,
            "role": "rep",
            "team": other_team.pk,
            "joined_on": "2024-01-01",
            "effective_on": "2026-03-10",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/settings/users/{rep.pk}/")
    assert "from 1 Jan 2024 to 9 Mar 2026" in page.text
    assert "from 10 Mar 2026 until now" in page.text


def test_an_admin_deactivates_a_rep_from_their_last_day(client, admin, rep):
    from datetime import date

    client.force_login(admin)
    client.post(f"/settings/users/{rep.pk}/active/", {"active": "0", "last_day": "2026-11-20"})
    rep.refresh_from_db()
    assert (rep.is_active, rep.left_on) == (False, date(2026, 11, 20))
    page = client.get(f"/settings/users/{rep.pk}/")
    assert "Left on 20 Nov 2026." in page.text


def test_the_django_admin_cannot_move_people_around_their_history(client, admin, rep):
    from users.models import User

    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/django-admin/users/user/add/").status_code == 403
    page = client.get(f"/django-admin/users/user/{rep.pk}/change/")
    assert page.status_code == 200
    assert 'name="team"' not in page.text
    assert 'name="is_active"' not in page.text


def test_the_settings_page_has_no_placeholder_wording(client, admin):
    client.force_login(admin)
    page = client.get("/settings/").text
    assert "and later" not in page
    assert (
        "You are signed in as <strong>Ada Admin</strong> (ada@example.com), an "
        "<strong>admin</strong>: everything below is yours to set" in page
    )
    assert "Webhooks" in page
    assert "Captured events" in page
