"""Writes made with a token are the token user's, and their history says which token made
them (docs/api.md#history). The user comes from the services' `by`; the token's name is
added here to every historical record written while the request runs."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import gettext

_token_name: ContextVar[str | None] = ContextVar("api_token_name", default=None)
_user: ContextVar[object | None] = ContextVar("api_user", default=None)


@contextmanager
def written_with(token_name: str | None, *, user=None) -> Iterator[None]:
    """Sign the history written inside with the token's name; with `user`, a record the
    services wrote as the system (`by=None`: a dialer's call events, applied whatever day
    they are dated) is the caller's too."""
    marker = _token_name.set(token_name)
    user_marker = _user.set(user)
    try:
        yield
    finally:
        _user.reset(user_marker)
        _token_name.reset(marker)


def reason_for(token_name: str, reason: str | None) -> str:
    via = gettext("with the API token “%(name)s”") % {"name": token_name}
    return f"{reason} ({via})" if reason else via


def name_the_token(sender, history_instance, **kwargs) -> None:
    """simple_history's pre_create_historical_record: sign the record with the token."""
    user = _user.get()
    if user is not None and history_instance.history_user_id is None:
        history_instance.history_user = user
    name = _token_name.get()
    if name:
        field = history_instance._meta.get_field("history_change_reason")
        reason = reason_for(name, history_instance.history_change_reason)
        history_instance.history_change_reason = reason[: field.max_length]
