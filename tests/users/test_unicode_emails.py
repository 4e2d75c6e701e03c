"""Emails in one form, and no look-alikes (docs/operations.md#email-addresses): an address
typed with a Kelvin sign for its k is not diego's, at sign-in, at the Django admin's
sign-in, at password reset, on the users pages or in an import."""

import pytest
from django.core import mail

from tests.factories import TEST_PASSWORD, AdminFactory, RepFactory
from users.models import User, canonical_email

KELVIN = "\u212a"  # KELVIN SIGN: looks like K, folds (NFKC, lower-case) to k
DIEGO = "diego@demo.salestrack.test"
DIEGO_KELVIN = "diego@demo.salestrac" + KELVIN + ".test"
DIEGO_FULLWIDTH = "\uff44iego@demo.salestrack.test"  # a fullwidth d


@pytest.fixture
def diego(team):
    return RepFactory(team=team, email=DIEGO, full_name="Diego Torres")


def test_the_kelvin_sign_spelling_folds_to_diegos_address():
    # Why it matters: every fold (lower(), NFKC) makes the Kelvin sign a plain k.
    assert DIEGO_KELVIN.lower() == DIEGO
    assert canonical_email(DIEGO_KELVIN) == DIEGO


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        (DIEGO_KELVIN, "Type the address with plain letters"),
        # Django's own email check refuses a fullwidth local part first.
        (DIEGO_FULLWIDTH, "Enter a valid email address"),
    ],
)
def test_a_look_alike_address_does_not_sign_in_as_diego(client, diego, typed, said):
    response = client.post("/accounts/login/", {"username": typed, "password": TEST_PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert said in response.text


def test_the_django_admins_sign_in_refuses_a_look_alike_too(client, db):
    admin = AdminFactory(email=DIEGO, is_staff=True, is_superuser=True)
    response = client.post(
        "/django-admin/login/", {"username": DIEGO_KELVIN, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    plain = client.post(
        "/django-admin/login/", {"username": admin.email, "password": TEST_PASSWORD}
    )
    assert plain.status_code == 302


def test_a_look_alike_address_gets_no_reset_email(client, diego):
    response = client.post("/accounts/password/reset/", {"email": DIEGO_KELVIN})

    assert response.status_code == 200
    assert "look-alike" in response.text
    assert mail.outbox == []


def test_the_plain_address_in_any_case_still_signs_in_and_resets(client, diego):
    assert client.post("/accounts/password/reset/", {"email": "Diego@Demo.SalesTrack.test"})
    assert [m.to for m in mail.outbox] == [[DIEGO]]
    response = client.post(
        "/accounts/login/", {"username": " DIEGO@demo.salestrack.TEST ", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


def test_an_admin_cannot_create_a_look_alike_of_an_account(client, admin, diego):
    client.force_login(admin)
    response = client.post(
        "/settings/users/new/",
        {
            "full_name": "Not Diego",
            "email": DIEGO_KELVIN,
            "role": "manager",
            "joined_on": "2026-01-05",
        },
    )
    assert response.status_code == 200
    assert "look-alike" in response.text
    assert User.objects.count() == 2  # diego and the admin


def test_an_address_whose_case_fold_is_ambiguous_is_refused(client, admin):
    client.force_login(admin)
    response = client.post(
        "/settings/users/new/",
        {
            "full_name": "Ana",
            "email": "ana@straße.de",
            "role": "manager",
            "joined_on": "2026-01-05",
        },
    )
    assert "some mail systems read as" in response.text
    assert not User.objects.filter(full_name="Ana").exists()


def test_every_way_of_storing_an_email_stores_its_canonical_form(db):
    direct = User.objects.create_user("Ｍarta@Example.COM ", TEST_PASSWORD, full_name="Marta")
    assert direct.email == "marta@example.com"
    saved = RepFactory(email="Luis@Example.com")
    saved.email = "LUIS@EXAMPLE.COM"
    saved.save()
    saved.refresh_from_db()
    assert saved.email == "luis@example.com"


def test_a_users_import_refuses_a_look_alike_row(admin, diego):
    from imports.framework import run_import
    from tests.import_files import csv_bytes

    report = run_import(
        "users",
        csv_bytes("email,full_name,role,team", f"{DIEGO_KELVIN},Not Diego,rep,{diego.team.name}"),
        by=admin,
    )
    assert "look-alike" in report.messages[0]
    assert User.objects.filter(full_name="Not Diego").count() == 0
    diego.refresh_from_db()
    assert diego.full_name == "Diego Torres"
