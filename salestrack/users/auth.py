"""Signing in: who is asking (one canonical account, the client's real address) and what a
sign-in attempt costs."""

from axes.helpers import get_client_ip_address
from django.contrib.auth.backends import ModelBackend

from salestrack.users.models import User, canonical_email


def axes_username(request, credentials) -> str:
    """django-axes counts failed sign-ins per account: every spelling of an email
    (`DIEGO@…`, ` diego@… `) is the same account and shares one counter, on our sign-in
    page and on the Django admin's alike."""
    if credentials and "username" in credentials:
        raw = credentials["username"]
    else:
        raw = getattr(request, "POST", {}).get("username", "")
    return canonical_email(raw)


def client_ip(request) -> str | None:
    """The client's address as django-axes sees it: REMOTE_ADDR, or the address a trusted
    proxy put in X-Forwarded-For (AXES_IPWARE_PROXY_COUNT, see settings)."""
    return get_client_ip_address(request)


class EmailBackend(ModelBackend):
    """Django's ModelBackend, with one difference: every attempt costs exactly one password
    hash, so the time a wrong password takes says nothing about the account.

    ModelBackend checks the password of a deactivated account and then refuses it, and the
    sign-in form used to check it a second time to say "deactivated" — a wrong password
    for a deactivated account took two hashes, for an active or unknown one a single one.
    Here the account comes back whenever its password is right, and the forms'
    `confirm_login_allowed` refuse a deactivated one with their own message. Sessions are
    untouched: `get_user` still ends a deactivated user's session."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            # The same work as checking a real password (Django's own defence, #20760).
            User().set_password(password)
            return None
        return user if user.check_password(password) else None
