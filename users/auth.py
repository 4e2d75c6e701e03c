"""Signing in: who is asking (one canonical account, the client's real address) and what a
sign-in attempt costs."""

import ipaddress

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from core.validators import lookalike_characters
from users.models import User, canonical_email


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
    """The client's address, for django-axes (AXES_CLIENT_IP_CALLABLE) and the password-
    reset limits alike (docs/operations.md#the-clients-address).

    With no proxy in front (TRUSTED_PROXY_COUNT = 0) it is REMOTE_ADDR and X-Forwarded-For
    is ignored. Behind N proxies of ours, each writes the address it was reached from into
    X-Forwarded-For, so the client is the N-th entry from the right: whatever a client puts
    in the header itself stands to the left of it and is never read. A chain shorter than N,
    or an entry that is not an address, did not come through our proxies as configured: the
    address that connected (REMOTE_ADDR) is counted instead, never the client's pick."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    chain = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [entry for entry in chain if entry]
    if len(chain) < count:
        return remote
    return _address(chain[-count]) or remote


def _address(text: str) -> str | None:
    """An IP address as written by a proxy (`203.0.113.7`, `203.0.113.7:5123`, `::1`,
    `[2001:db8::1]:443`), normalised; None if it is none."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


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
        if lookalike_characters(username):
            # Not folded into another address (docs/operations.md#email-addresses): the Django
            # admin's sign-in refuses `diego@…` typed with a Kelvin sign as ours does.
            User().set_password(password)
            return None
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            # The same work as checking a real password (Django's own defence, #20760).
            User().set_password(password)
            return None
        return user if user.check_password(password) else None

    def get_user(self, user_id):
        """The signed-in user of every request, with their team in the same query: every
        page's account menu says it (base.html), and reads of a rep's scope use it."""
        try:
            user = User._default_manager.select_related("team").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
