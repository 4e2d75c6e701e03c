from django.core.management import call_command

from devtools.demo import DEMO_PASSWORD
from users.models import Role, Team, User


def test_seed_demo_twice_gives_the_same_users_and_teams(db, capsys):
    call_command("seed_demo")
    first = sorted(User.objects.values_list("email", "role", "team__name"))
    teams = sorted(Team.objects.values_list("name", flat=True))
    call_command("seed_demo")

    assert sorted(User.objects.values_list("email", "role", "team__name")) == first
    assert sorted(Team.objects.values_list("name", flat=True)) == teams == ["North", "South"]
    assert User.objects.filter(role=Role.REP).count() == 8
    assert User.objects.filter(role=Role.MANAGER).count() == 2
    # The admin, and the integration account the email service and the dialer post with
    # (no password: it signs in with its API token only).
    admins = User.objects.filter(role=Role.ADMIN).order_by("email")
    assert [admin.email for admin in admins] == [
        "admin@demo.salestrack.test",
        "integration@demo.salestrack.test",
    ]
    assert not admins[1].has_usable_password()
    assert all(team.managers.count() == 1 for team in Team.objects.all())


def test_seed_demo_prints_logins_that_work(db, capsys, client):
    call_command("seed_demo")
    output = capsys.readouterr().out

    assert DEMO_PASSWORD in output
    assert "admin@demo.salestrack.test" in output
    response = client.post(
        "/accounts/login/", {"username": "ana@demo.salestrack.test", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


def test_seed_demo_scales_teams_with_reps(db):
    call_command("seed_demo", reps=35, seed=7)
    assert User.objects.filter(role=Role.REP).count() == 35
    assert Team.objects.count() == 4
    assert User.objects.filter(role=Role.MANAGER).count() == 4


def test_seed_demo_gives_reps_a_pipeline_and_history_and_is_repeatable(db):
    from activities.models import Activity
    from pipeline.models import Opportunity, OpportunityStatus, Prospect, StageChange

    call_command("seed_demo", days=40)
    first = (
        Prospect.objects.count(),
        Opportunity.objects.count(),
        sorted(Activity.objects.values_list("rep__email", "date", "kind", "outcome", "quantity")),
    )
    call_command("seed_demo", days=40)
    again = (
        Prospect.objects.count(),
        Opportunity.objects.count(),
        sorted(Activity.objects.values_list("rep__email", "date", "kind", "outcome", "quantity")),
    )

    assert first == again
    assert first[0] > 0
    assert first[1] > 0
    assert Opportunity.objects.filter(status=OpportunityStatus.WON).exists()
    assert (
        StageChange.objects.filter(from_stage__isnull=True).count() == Opportunity.objects.count()
    )
    reps_with_activity = Activity.objects.values("rep").distinct().count()
    assert reps_with_activity == 8


def test_seeded_rows_are_logged_on_or_just_after_their_day_so_old_days_show_locked(db):
    from datetime import timedelta

    from django.db.models import F
    from django.utils import timezone

    from activities.models import Activity
    from activities.services import edit_window_start, is_locked

    call_command("seed_demo", days=30)
    today, now = timezone.localdate(), timezone.now()
    rows = Activity.objects.filter(date__lte=today)
    late = rows.filter(created_at__date__gt=F("date"))

    assert not Activity.objects.filter(created_at__gt=now).exists()  # nothing logged ahead
    assert not rows.filter(created_at__date__lt=F("date")).exists()
    assert 0 < late.count() < rows.count() / 5  # some caught up the next morning
    assert all(row.created_at.date() - row.date <= timedelta(days=1) for row in late)
    old = rows.filter(date__lt=edit_window_start()).first()
    recent = rows.filter(date__gte=edit_window_start()).first()
    assert is_locked(old)
    assert not is_locked(recent)


def test_the_demo_without_postgresql_keeps_each_rows_logged_time_too(db, monkeypatch):
    # `make demo` on SQLite writes with bulk_create, whose auto_now_add would stamp every
    # row with the seeding moment: a 20 Nov row read as logged today.
    from django.db import connection
    from django.db.models import F

    from activities.models import Activity

    monkeypatch.setattr(connection, "vendor", "sqlite")  # the bulk_create path, on this db
    call_command("seed_demo", days=20)
    monkeypatch.undo()
    rows = Activity.objects.exclude(created_at__date=F("date"))
    assert rows.count() < Activity.objects.count() / 5  # only the next-morning catch-ups
    assert Activity._meta.get_field("created_at").auto_now_add  # put back


def test_seed_demo_language_by_team_shows_a_spanish_and_a_chinese_team(db, capsys, client):
    call_command("seed_demo", days=5, no_capture=True, language="by-team")

    languages = dict(User.objects.values_list("email", "language"))
    north = {languages[f"{who}@demo.salestrack.test"] for who in ("marta", "ana", "diego")}
    south = {languages[f"{who}@demo.salestrack.test"] for who in ("zhou", "wang", "liu")}
    assert (north, south) == ({"es"}, {"zh-hans"})
    assert languages["admin@demo.salestrack.test"] == ""  # as the browser says
    assert "North in Español, South in 简体中文" in capsys.readouterr().out
    client.force_login(User.objects.get(email="zhou@demo.salestrack.test"))
    assert '<html lang="zh-hans">' in client.get("/team/").content.decode()

    # Run again without it: everyone follows the browser again.
    call_command("seed_demo", days=5, no_capture=True)
    assert set(User.objects.values_list("language", flat=True)) == {""}


def test_seed_demo_language_sets_everyones(db):
    from devtools import demo

    demo.seed_organisation(history_days=5)
    assert demo.seed_languages("es") == {"North": "es", "South": "es"}
    assert set(User.objects.values_list("language", flat=True)) == {"es"}
    assert demo.seed_languages("") == {"North": "", "South": ""}
    assert set(User.objects.values_list("language", flat=True)) == {""}
