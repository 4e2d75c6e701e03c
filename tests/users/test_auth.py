import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests.factories import TEST_PASSWORD, RepFactory

LOGIN = "/accounts/login/"


def sign_in(client, email, password=TEST_PASSWORD):
    return client.post(LOGIN, {"username": email, "password": password})


@pytest.mark.parametrize(
    ("persona", "home"),
    [("rep", "/my-day/"), ("manager", "/team/"), ("admin", "/settings/")],
)
def test_each_role_lands_on_its_home_after_signing_in(client, request, persona, home):
    user = request.getfixturevalue(persona)

    response = sign_in(client, user.email)
    assert response.status_code == 302
    landing = client.get(response.url, follow=True)

    assert landing.redirect_chain[-1][0] == home
    assert landing.status_code == 200
    assert user.full_name in landing.text


def test_email_is_matched_whatever_its_case(client, rep):
    response = sign_in(client, "  ANA@Example.COM ".strip())
    assert response.status_code == 302


def test_wrong_password_shows_an_error_and_does_not_sign_in(client, rep):
    response = sign_in(client, rep.email, "not-the-password")

    assert response.status_code == 200
    assert "That email and password do not match an account" in response.text
    assert "_auth_user_id" not in client.session


def test_inactive_user_is_refused_with_a_clear_message(client, rep):
    rep.is_active = False
    rep.save()

    response = sign_in(client, rep.email)

    assert response.status_code == 200
    assert "This account has been deactivated" in response.text
    assert "_auth_user_id" not in client.session


def test_inactive_message_needs_the_right_password(client, rep):
    rep.is_active = False
    rep.save()

    response = sign_in(client, rep.email, "guessing")

    assert "deactivated" not in response.text
    assert "do not match an account" in response.text


def test_a_deactivated_user_loses_an_open_session(client, rep):
    client.force_login(rep)
    rep.is_active = False
    rep.save()

    response = client.get("/my-day/")

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for url in ["/", "/my-day/", "/team/", "/settings/", "/settings/users/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(LOGIN), url


def test_sign_out_is_a_post(client, rep):
    client.force_login(rep)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, rep):
    client.force_login(rep)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-much-longer-password-2026",
            "new_password2": "a-much-longer-password-2026",
        },
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password("a-much-longer-password-2026")


def test_password_reset_reaches_a_user_without_a_password_yet(client, db, team):
    imported = RepFactory(email="new@example.com", team=team, password=None)
    imported.set_unusable_password()
    imported.save()

    response = client.post(reverse("password_reset"), {"email": "NEW@example.com"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.com"]
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_password_reset_link_sets_a_new_password(client, rep):
    client.post(reverse("password_reset"), {"email": rep.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]

    form_page = client.get("/" + path, follow=True)
    assert "Choose a new password" in form_page.text
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand-new-secret-77", "new_password2": "brand-new-secret-77"},
    )

    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password("brand-new-secret-77")


def test_password_reset_for_an_unknown_email_says_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


# Security issue 12: lockout per account, one hash per attempt, rate-limited resets --------

SPELLINGS = [
    "diego@demo.salestrack.test",
    "DIEGO@demo.salestrack.test",
    "Diego@Demo.Salestrack.Test",
    " diego@demo.salestrack.test ",
    "dIeGo@DEMO.SALESTRACK.TEST",
]


@pytest.mark.parametrize("login_url", [LOGIN, "/django-admin/login/"])
def test_five_wrong_passwords_lock_the_account_whatever_the_spelling(client, db, login_url):
    # Before: each spelling had its own budget of five guesses, and DIEGO@… signed in at once.
    from axes.models import AccessAttempt

    from tests.factories import AdminFactory

    AdminFactory(email="diego@demo.salestrack.test", is_staff=True, is_superuser=True)
    for attempt, spelling in enumerate(SPELLINGS, start=1):
        response = client.post(login_url, {"username": spelling, "password": "guess"})
        assert response.status_code == (429 if attempt == 5 else 200), spelling
        assert "_auth_user_id" not in client.session

    locked = client.post(
        login_url, {"username": "DIEGO@Demo.Salestrack.test", "password": TEST_PASSWORD}
    )

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # One counter for the account, under its canonical email.
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [
        "diego@demo.salestrack.test"
    ]


def test_five_wrong_passwords_lock_the_account_for_this_address(client, rep):
    for _ in range(4):
        assert sign_in(client, rep.email, "wrong").status_code == 200
    assert sign_in(client, rep.email, "wrong").status_code == 429  # the fifth locks
    locked = sign_in(client, rep.email, TEST_PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_admin_unlocks_an_account(client, rep):
    for _ in range(5):
        sign_in(client, rep.email, "wrong")
    call_command("axes_reset_username", rep.email)
    assert sign_in(client, rep.email, TEST_PASSWORD).status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, rep):
    for _ in range(4):
        sign_in(client, rep.email, "wrong")
    assert sign_in(client, rep.email, TEST_PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, rep.email, "wrong")
    assert sign_in(client, rep.email, TEST_PASSWORD).status_code == 302


def test_an_email_is_stored_in_one_canonical_form(admin):
    from users import services
    from users.models import User

    created = services.user_create(
        by=admin, email="  Nuevo.Rep@Example.COM ", full_name="Nuevo Rep", role="manager"
    )
    assert created.email == "nuevo.rep@example.com"
    assert User.objects.get_by_natural_key("NUEVO.rep@example.com ") == created


class CountingHasher:
    """Counts the password hashes Django computes, whatever the hasher underneath."""

    calls = 0


def _counting_md5():
    from django.contrib.auth.hashers import MD5PasswordHasher

    class Counting(MD5PasswordHasher):
        def encode(self, password, salt):
            CountingHasher.calls += 1
            return super().encode(password, salt)

    return Counting


CountingMD5PasswordHasher = _counting_md5()


@pytest.mark.parametrize(
    ("case", "email", "password"),
    [
        ("unknown account", "nobody@example.com", "guess"),
        ("active, wrong password", "ana@example.com", "guess"),
        ("deactivated, wrong password", "gone@example.com", "guess"),
        ("deactivated, right password", "gone@example.com", TEST_PASSWORD),
        ("active, right password", "ana@example.com", TEST_PASSWORD),
    ],
)
def test_every_sign_in_attempt_costs_one_password_hash(
    client, settings, rep, case, email, password
):
    # Before: a wrong password for a deactivated account took two hashes (the backend's and
    # the form's "is it deactivated?" check), so its timing told that the account existed.
    RepFactory(email="gone@example.com", team=rep.team, is_active=False)
    settings.PASSWORD_HASHERS = ["tests.users.test_auth.CountingMD5PasswordHasher"]
    CountingHasher.calls = 0

    sign_in(client, email, password)

    assert CountingHasher.calls == 1, case


def test_password_reset_is_rate_limited_per_account_whatever_the_spelling(client, rep, settings):
    settings.PASSWORD_RESET_RATE_PER_ACCOUNT = "3/h"
    for spelling in ["ana@example.com", "ANA@example.com", "Ana@Example.com"]:
        response = client.post("/accounts/password/reset/", {"email": spelling})
        assert response.status_code == 302
    refused = client.post("/accounts/password/reset/", {"email": "ana@EXAMPLE.com"})

    assert refused.status_code == 429
    assert "Too many password-reset requests" in refused.text
    assert len(mail.outbox) == 3


def test_password_reset_is_rate_limited_per_address_and_says_nothing_of_who_exists(
    client, rep, settings
):
    settings.PASSWORD_RESET_RATE_PER_ADDRESS = "4/h"
    for n in range(4):
        assert (
            client.post("/accounts/password/reset/", {"email": f"x{n}@example.com"}).status_code
            == 302
        )
    # An existing and an unknown account are refused alike once the address is over.
    for email in ["ana@example.com", "nobody@example.com"]:
        refused = client.post("/accounts/password/reset/", {"email": email})
        assert refused.status_code == 429
    assert mail.outbox == []
    # Another address still gets through.
    other = client.post(
        "/accounts/password/reset/", {"email": "ana@example.com"}, REMOTE_ADDR="192.0.2.44"
    )
    assert other.status_code == 302
    assert len(mail.outbox) == 1
