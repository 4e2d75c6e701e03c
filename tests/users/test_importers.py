"""The users importer (imports/users.py): teams made only on request, people
matched on their email, and only admins import users."""

import pytest

from imports.framework import run_import
from tests.import_files import csv_bytes
from users.models import Role, Team, User


def test_users_import_creates_teams_only_with_create_missing(admin):
    data = csv_bytes(
        "email,full_name,role,team,joined_on",
        "nuria@example.com,Nuria Prieto,rep,East,2025-09-01",
        "omar@example.com,Omar Vidal,manager,East,",
    )
    refused = run_import("users", data, by=admin)
    assert "unknown team “East”" in refused.messages[0]
    assert not Team.objects.filter(name="East").exists()

    report = run_import("users", data, by=admin, create_missing=True)
    assert (report.ok, report.created) == (True, 2)
    east = Team.objects.get(name="East")
    assert User.objects.get(email="nuria@example.com").team == east
    assert list(east.managers.values_list("email", flat=True)) == ["omar@example.com"]
    assert not User.objects.get(email="nuria@example.com").has_usable_password()
    assert run_import("users", data, by=admin, create_missing=True).unchanged == 2


def test_only_admins_import_users(manager):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run_import("users", csv_bytes("email,full_name,role,team"), by=manager)
    assert User.objects.filter(role=Role.REP).count() == 0
