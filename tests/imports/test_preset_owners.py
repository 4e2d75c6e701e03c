"""Saved matchings (presets) belong to a team, or to their author when that is not one team
(an admin, a manager of several teams): saving a name another team uses makes one's own,
and the matching page proposes only the presets the person may use (issue 23 §4)."""

from pathlib import Path

import pytest

from imports import selectors, services
from imports.models import ImportJob, ImportPreset
from tests.factories import ManagerFactory, TeamFactory

FILES = Path(__file__).parent / "files"
CALLS = "hubspot_activities.csv"


def _mapping_page(client, upload_import):
    upload_import((FILES / CALLS).read_bytes(), name=CALLS)
    job = ImportJob.objects.order_by("-pk").first()
    return job, client.get(f"/import/{job.token}/mapping/")


def _save(client, upload_import, capture, name: str, **changes) -> ImportJob:
    """Match HubSpot's calls export on the page, as the page proposes it plus `changes`,
    and save the matching under `name`."""
    job, page = _mapping_page(client, upload_import)
    posted = {field.html_name: field.value() or "" for field in page.context["form"]}
    with capture(execute=True):
        client.post(f"/import/{job.token}/mapping/", posted | changes | {"preset_name": name})
    return job


def _notes_of(preset: ImportPreset) -> str | None:
    return preset.mapping["columns"].get("notes")


def test_marta_saving_zhous_name_makes_norths_own_and_south_keeps_zhous(
    client,
    manager,
    other_team_manager,
    other_team,
    team,
    upload_import,
    django_capture_on_commit_callbacks,
):
    """Before: marta's save overwrote zhou's "Shared HubSpot" (one row per name), and
    South was then proposed marta's matching."""
    client.force_login(other_team_manager)  # zhou, South
    _save(client, upload_import, django_capture_on_commit_callbacks, "Shared HubSpot")
    zhous = ImportPreset.objects.get()
    assert (zhous.team, zhous.created_by, _notes_of(zhous)) == (
        other_team,
        other_team_manager,
        "Call notes",
    )

    client.force_login(manager)  # marta, North: notes from the call title instead
    _save(
        client,
        upload_import,
        django_capture_on_commit_callbacks,
        "Shared HubSpot",
        column__notes="Call Title",
    )

    zhous.refresh_from_db()
    assert (zhous.team, zhous.created_by, _notes_of(zhous)) == (
        other_team,
        other_team_manager,
        "Call notes",
    )
    martas = ImportPreset.objects.exclude(pk=zhous.pk).get()
    assert (martas.name, martas.team, martas.created_by, _notes_of(martas)) == (
        "Shared HubSpot",
        team,
        manager,
        "Call Title",
    )

    # Each team is proposed its own.
    _, page = _mapping_page(client, upload_import)
    assert page.context["proposal"].preset_name == "Shared HubSpot"
    assert page.context["form"]["column__notes"].value() == "Call Title"
    client.force_login(other_team_manager)
    _, page = _mapping_page(client, upload_import)
    assert page.context["proposal"].preset_name == "Shared HubSpot"
    assert page.context["form"]["column__notes"].value() == "Call notes"


def test_a_third_teams_manager_and_an_admin_are_not_proposed_another_teams_preset(
    client, other_team_manager, admin, upload_import, django_capture_on_commit_callbacks
):
    client.force_login(other_team_manager)
    _save(client, upload_import, django_capture_on_commit_callbacks, "Shared HubSpot")
    east = ManagerFactory(email="erik@example.com", teams=[TeamFactory(name="East")])

    for person in (east, admin):
        client.force_login(person)
        _, page = _mapping_page(client, upload_import)
        assert page.context["proposal"].preset_name == "HubSpot", person


def test_a_co_manager_of_the_team_uses_and_updates_the_teams_preset(
    client, manager, team, upload_import, django_capture_on_commit_callbacks
):
    co_manager = ManagerFactory(email="luz@example.com", teams=[team])
    client.force_login(manager)
    _save(client, upload_import, django_capture_on_commit_callbacks, "North HubSpot")

    client.force_login(co_manager)
    _, page = _mapping_page(client, upload_import)
    assert page.context["proposal"].preset_name == "North HubSpot"
    _save(
        client,
        upload_import,
        django_capture_on_commit_callbacks,
        "North HubSpot",
        column__notes="Call Title",
    )

    preset = ImportPreset.objects.get()
    assert (preset.team, preset.created_by, _notes_of(preset)) == (team, co_manager, "Call Title")


def test_an_admins_and_a_multi_team_managers_presets_are_their_own(
    admin, manager, other_team_manager, team, other_team
):
    both = ManagerFactory(email="bo@example.com", teams=[team, other_team])
    mapping = {"kind": "activities", "columns": {"date": "Day"}}
    for person in (admin, both, manager):
        services.import_preset_save(by=person, kind="activities", name="Ours", mapping=mapping)

    owners = {(p.team, p.created_by) for p in ImportPreset.objects.all()}
    assert owners == {(None, admin), (None, both), (team, manager)}

    def visible(person):
        return {
            (p.team_id, p.created_by_id)
            for p in selectors.import_presets(person, kind="activities")
        }

    assert visible(admin) == {(None, admin.pk)}
    # A manager of both teams uses their teams' presets and their own.
    assert visible(both) == {(None, both.pk), (team.pk, manager.pk)}
    assert visible(manager) == {(team.pk, manager.pk)}
    assert visible(other_team_manager) == set()


def test_the_same_name_twice_in_one_team_or_for_one_author_is_refused_by_the_database(
    manager, team
):
    from django.db import IntegrityError, transaction

    mapping = {"kind": "activities", "columns": {}}
    ImportPreset.objects.create(
        name="X", kind="activities", mapping=mapping, created_by=manager, team=team
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportPreset.objects.create(
            name="X", kind="activities", mapping=mapping, created_by=manager, team=team
        )
    ImportPreset.objects.create(name="X", kind="activities", mapping=mapping, created_by=manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportPreset.objects.create(
            name="X", kind="activities", mapping=mapping, created_by=manager
        )
