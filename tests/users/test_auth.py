import pytest
from django.core import mail
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
