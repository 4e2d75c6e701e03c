"""Passwords are stored with Argon2id at OWASP's parameters, and a password stored before
(PBKDF2) is re-stored that way at its owner's next sign-in (docs/operations.md#passwords)."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher, make_password

from tests.factories import RepFactory

REAL_HASHERS = [
    "users.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]


@pytest.fixture
def real_hashers(settings):
    # tests/conftest.py stores passwords with MD5 to keep the suite fast; not here.
    settings.PASSWORD_HASHERS = REAL_HASHERS


def test_a_new_password_is_argon2id_with_owasps_parameters(real_hashers):
    stored = make_password("Correct horse 42")
    # $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
    assert stored.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(stored).algorithm == "argon2"


@pytest.mark.django_db
def test_a_pbkdf2_password_is_upgraded_at_the_next_sign_in(client, real_hashers):
    rep = RepFactory(email="ana@example.com")
    rep.password = PBKDF2PasswordHasher().encode("Correct horse 42", "somesalt12345678")
    rep.save(update_fields=["password"])

    response = client.post(
        "/accounts/login/", {"username": "ana@example.com", "password": "Correct horse 42"}
    )
    assert response.status_code == 302

    rep.refresh_from_db()
    assert rep.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert rep.check_password("Correct horse 42")


@pytest.mark.django_db
def test_argon2_with_djangos_default_parameters_is_upgraded_too(client, real_hashers):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    rep = RepFactory(email="luis@example.com")
    rep.password = Argon2PasswordHasher().encode("Correct horse 42", "somesalt12345678")
    rep.save(update_fields=["password"])
    assert "m=102400,t=2,p=8" in rep.password

    client.post(
        "/accounts/login/", {"username": "luis@example.com", "password": "Correct horse 42"}
    )
    rep.refresh_from_db()
    assert "m=19456,t=2,p=1" in rep.password
